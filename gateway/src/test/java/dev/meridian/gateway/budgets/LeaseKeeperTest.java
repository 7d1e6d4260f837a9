package dev.meridian.gateway.budgets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.billing.LeaseRequest;
import dev.meridian.common.billing.LeaseSettlement;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.QuotaLease;
import dev.meridian.testing.SettableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The lease logic alone, with billing played by futures the test completes. */
class LeaseKeeperTest {

    static final UUID TENANT = UUID.fromString("00000000-0000-4000-8000-000000000001");
    static final UUID KEY = UUID.fromString("00000000-0000-4000-8000-0000000000a1");
    static final LeaseKeeper.Holder HOLDER = new LeaseKeeper.Holder(TENANT, KEY);
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    /** Billing as the test drives it: every lease request waits until the test answers it. */
    static final class Billing {
        final List<LeaseRequest> requests = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<QuotaLease>> pending = new CopyOnWriteArrayList<>();
        final List<LeaseSettlement> settlements = new CopyOnWriteArrayList<>();

        CompletionStage<QuotaLease> request(LeaseRequest r) {
            requests.add(r);
            var f = new CompletableFuture<QuotaLease>();
            pending.add(f);
            return f;
        }

        CompletionStage<Void> settle(UUID id, LeaseSettlement s) {
            settlements.add(s);
            return CompletableFuture.completedFuture(null);
        }

        void answerLast(QuotaLease lease) {
            pending.getLast().complete(lease);
        }
    }

    static QuotaLease granted(long requests) {
        return new QuotaLease(UUID.randomUUID(), TENANT, null, QuotaLease.GRANTED, null, null, "EUR",
                requests * 1000, null, Map.of("requests", 1000L, "input_tokens", 10L), NOW.plusSeconds(60));
    }

    static QuotaLease blocked() {
        return new QuotaLease(UUID.randomUUID(), TENANT, null, QuotaLease.BLOCKED, "hard_budget_reached",
                "Your hard budget of EUR 5.00 for November is used up.", "EUR", null, null, null,
                NOW.plusSeconds(30));
    }

    final Billing billing = new Billing();
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    LeaseKeeper keeper() {
        return new LeaseKeeper(billing::request, billing::settle, "eu-central-1", "eu-central", Duration.ofSeconds(1),
                Clock.offset(clock, Duration.ZERO));
    }

    @Test
    void sixtyFourCallersWaitingForALeaseCauseOneLeaseRequest() {
        var keeper = keeper();
        List<CompletableFuture<LeaseKeeper.Admission>> calls = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            calls.add(keeper.admit(HOLDER).toCompletableFuture());
        }
        assertThat(billing.requests).hasSize(1);
        assertThat(billing.requests.getFirst()).isEqualTo(new LeaseRequest(TENANT, KEY, "eu-central-1",
                "eu-central"));
        assertThat(calls).noneMatch(CompletableFuture::isDone);

        billing.answerLast(granted(100));
        assertThat(calls).allSatisfy(c -> assertThat(c.join()).isInstanceOf(LeaseKeeper.Admission.Granted.class));
        assertThat(keeper.current(HOLDER).orElseThrow().spentNanos()).isEqualTo(64_000L);
    }

    @Test
    void callsBeyondTheSliceWaitForOneNewLeaseAndTheOldOneIsSettled() {
        var keeper = keeper();
        keeper.admit(HOLDER);
        billing.answerLast(granted(2));
        List<CompletableFuture<LeaseKeeper.Admission>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(keeper.admit(HOLDER).toCompletableFuture());
        }
        // the first lease paid for the first call and one more (which, spending it all, asked for the next lease
        // early); the other four wait for that one request
        assertThat(calls.stream().filter(CompletableFuture::isDone)).hasSize(1);
        assertThat(billing.requests).hasSize(2);

        billing.answerLast(granted(10));
        assertThat(calls).allSatisfy(c -> assertThat(c.join()).isInstanceOf(LeaseKeeper.Admission.Granted.class));
        assertThat(billing.requests).hasSize(2);
        assertThat(billing.settlements).as("the old lease, settled once the new one is in")
                .extracting(LeaseSettlement::spentNanos).containsExactly(2000L);
    }

    @Test
    void aLeaseNearItsEndIsRenewedAheadSoNoCallerWaitsForBilling() {
        var keeper = keeper();
        keeper.admit(HOLDER);
        billing.answerLast(granted(10));
        for (int i = 0; i < 7; i++) {
            assertThat(keeper.admit(HOLDER).toCompletableFuture().join())
                    .isInstanceOf(LeaseKeeper.Admission.Granted.class);
        }
        // 8 of 10 spent: the next lease is asked for, once, while the current one still pays
        assertThat(billing.requests).hasSize(2);
        assertThat(keeper.admit(HOLDER).toCompletableFuture()).isCompletedWithValue(new LeaseKeeper.Admission.Granted());
        assertThat(billing.requests).hasSize(2);
        billing.answerLast(granted(10));
        assertThat(billing.settlements).extracting(LeaseSettlement::spentNanos).containsExactly(9000L);
        // the new lease pays from now on, with nothing spent from it yet before this call
        assertThat(keeper.admit(HOLDER).toCompletableFuture()).isCompletedWithValue(new LeaseKeeper.Admission.Granted());
        assertThat(keeper.current(HOLDER).orElseThrow().spentNanos()).isEqualTo(1000L);
    }

    @Test
    void aLeaseAboutToExpireIsRenewedAhead() {
        var keeper = keeper();
        keeper.admit(HOLDER);
        billing.answerLast(new QuotaLease(UUID.randomUUID(), TENANT, null, QuotaLease.GRANTED, null, null, "EUR",
                100_000L, null, Map.of("requests", 1000L), NOW.plusSeconds(4)));
        assertThat(billing.requests).as("4 s before expiry the first call already asks for the next").hasSize(2);
    }

    @Test
    void aRefusalAskedForEarlyIsNotTakenOverWhileTheCurrentLeaseStillPays() {
        var keeper = keeper();
        keeper.admit(HOLDER);
        billing.answerLast(granted(10));
        for (int i = 0; i < 7; i++) {
            keeper.admit(HOLDER);
        }
        billing.answerLast(blocked()); // the early request: the budget is spoken for by the current slice
        assertThat(keeper.admit(HOLDER).toCompletableFuture())
                .isCompletedWithValue(new LeaseKeeper.Admission.Granted());
        assertThat(keeper.admit(HOLDER).toCompletableFuture())
                .isCompletedWithValue(new LeaseKeeper.Admission.Granted());
        // used up now: the regular renewal settles the slice and asks again, and billing's answer counts
        var next = keeper.admit(HOLDER).toCompletableFuture();
        assertThat(next).isNotDone();
        assertThat(billing.requests).hasSize(3);
        assertThat(billing.settlements).extracting(LeaseSettlement::spentNanos).containsExactly(10_000L);
        billing.answerLast(granted(10));
        assertThat(next.join()).isInstanceOf(LeaseKeeper.Admission.Granted.class);
    }

    @Test
    void aBlockedLeaseRefusesEveryCallUntilItExpires() {
        var keeper = keeper();
        var first = keeper.admit(HOLDER).toCompletableFuture();
        billing.answerLast(blocked());
        assertThat(first.join()).isInstanceOfSatisfying(LeaseKeeper.Admission.Refused.class,
                r -> assertThat(r.lease().reason()).isEqualTo("hard_budget_reached"));
        assertThat(keeper.admit(HOLDER).toCompletableFuture().join())
                .isInstanceOf(LeaseKeeper.Admission.Refused.class);
        assertThat(billing.requests).as("no new request while blocked").hasSize(1);
    }

    @Test
    void usageDebitedAfterTheAnswerUsesUpTheLeaseSoTheNextCallRenews() {
        var keeper = keeper();
        keeper.admit(HOLDER);
        billing.answerLast(granted(10)); // 10000 nanos; the first call paid 1000
        keeper.debit(HOLDER, Map.of(Meter.INPUT_TOKENS, 900L)); // 9000 more: used up
        var next = keeper.admit(HOLDER).toCompletableFuture();
        assertThat(next).isNotDone();
        assertThat(billing.requests).hasSize(2);
        assertThat(billing.settlements.getFirst().spentNanos()).isEqualTo(10_000L);
    }

    @Test
    void whenBillingFailsCallsGet503UntilTheRetryPauseAndThenBillingIsAskedAgain() {
        var keeper = keeper();
        var first = keeper.admit(HOLDER).toCompletableFuture();
        billing.pending.getLast().completeExceptionally(new RuntimeException("connection refused"));
        assertThat(first.join()).isInstanceOf(LeaseKeeper.Admission.Unavailable.class);
        assertThat(keeper.admit(HOLDER).toCompletableFuture().join())
                .as("within the pause billing is not asked again")
                .isInstanceOf(LeaseKeeper.Admission.Unavailable.class);
        assertThat(billing.requests).hasSize(1);
    }

    @Test
    void aLiveLeaseKeepsServingWhileBillingIsDown() {
        var keeper = keeper();
        keeper.admit(HOLDER);
        billing.answerLast(granted(50));
        // billing now fails every request; the lease still pays for calls until it runs out
        for (int i = 0; i < 49; i++) {
            assertThat(keeper.admit(HOLDER).toCompletableFuture().join())
                    .isInstanceOf(LeaseKeeper.Admission.Granted.class);
        }
        assertThat(billing.requests).as("the first lease and the early request for the next").hasSize(2);
    }

    @Test
    void eachKeyHoldsItsOwnLeaseSoBillingCanApplyKeyBudgets() {
        var keeper = keeper();
        var other = new LeaseKeeper.Holder(TENANT, UUID.fromString("00000000-0000-4000-8000-0000000000b2"));
        var first = keeper.admit(HOLDER).toCompletableFuture();
        billing.answerLast(granted(10));
        var second = keeper.admit(other).toCompletableFuture();
        billing.answerLast(new QuotaLease(UUID.randomUUID(), TENANT, other.key(), QuotaLease.BLOCKED,
                "key_budget_reached", "This API key's hard budget of EUR 1.00 for 2026-11 is used up.", "EUR", 0L,
                Map.of(), Map.of(), NOW.plusSeconds(30)));
        assertThat(first.join()).isInstanceOf(LeaseKeeper.Admission.Granted.class);
        assertThat(second.join()).isInstanceOf(LeaseKeeper.Admission.Refused.class);
        assertThat(billing.requests).extracting(LeaseRequest::keyId).containsExactly(KEY, other.key());
        assertThat(keeper.admit(HOLDER).toCompletableFuture().join()).isInstanceOf(LeaseKeeper.Admission.Granted.class);
    }

    @Test
    void aFreshLeaseThatCannotPayForOneRequestRefusesInsteadOfAskingForever() {
        var keeper = keeper();
        var call = keeper.admit(HOLDER).toCompletableFuture();
        billing.answerLast(new QuotaLease(UUID.randomUUID(), TENANT, null, QuotaLease.GRANTED, null, null, "EUR",
                500L, null, Map.of("requests", 1000L), NOW.plusSeconds(60)));
        assertThat(call.join()).isInstanceOf(LeaseKeeper.Admission.Refused.class);
        assertThat(billing.requests).hasSize(1);
    }

    static QuotaLease unlimited(Instant expiresAt) {
        return new QuotaLease(UUID.randomUUID(), TENANT, null, QuotaLease.GRANTED, null, null, "EUR", null, Map.of(),
                Map.of("requests", 1000L), expiresAt);
    }

    @Test
    void aTenantWithoutAHardBudgetNeverWaitsForBillingAndIsServedThroughAnOutage() {
        var moving = new SettableClock(NOW);
        var keeper = new LeaseKeeper(billing::request, billing::settle, "eu-central-1", "eu-central",
                Duration.ofSeconds(1), moving);
        var first = keeper.admit(HOLDER).toCompletableFuture();
        billing.answerLast(unlimited(NOW.plusSeconds(30)));
        assertThat(first.join()).isInstanceOf(LeaseKeeper.Admission.Granted.class);

        moving.set(NOW.plusSeconds(31)); // the lease has expired, and billing is gone
        var call = keeper.admit(HOLDER).toCompletableFuture();
        assertThat(call).as("served at once, the next lease asked for in the background")
                .isCompletedWithValue(new LeaseKeeper.Admission.Granted());
        int asked = billing.requests.size();
        assertThat(asked).isGreaterThanOrEqualTo(2);
        billing.pending.getLast().completeExceptionally(new RuntimeException("connection refused"));
        for (int i = 0; i < 100; i++) {
            assertThat(keeper.admit(HOLDER).toCompletableFuture())
                    .isCompletedWithValue(new LeaseKeeper.Admission.Granted());
        }
        assertThat(billing.requests).as("within the retry pause billing is not asked again").hasSize(asked);
    }

    @Test
    void aTenantWhoseUnlimitedLeaseIsFollowedByABlockedOneIsRefusedAgain() {
        var moving = new SettableClock(NOW);
        var keeper = new LeaseKeeper(billing::request, billing::settle, "eu-central-1", "eu-central",
                Duration.ofSeconds(1), moving);
        keeper.admit(HOLDER);
        billing.answerLast(unlimited(NOW.plusSeconds(30)));
        moving.set(NOW.plusSeconds(31));
        assertThat(keeper.admit(HOLDER).toCompletableFuture()).isCompletedWithValue(new LeaseKeeper.Admission.Granted());
        billing.answerLast(blockedUntil(NOW.plusSeconds(90))); // an owner set a hard budget already used up
        assertThat(keeper.admit(HOLDER).toCompletableFuture().join())
                .isInstanceOf(LeaseKeeper.Admission.Refused.class);
    }

    @Test
    void aTenantWithAHardBudgetSpendsOneOutageAllowanceThenGets503() {
        var keeper = keeper();
        keeper.admit(HOLDER);
        billing.answerLast(granted(5)); // 5 requests' worth; the first call paid one
        int served = 1;
        // billing fails from now on: every request it is asked is refused
        for (int i = 0; i < 20; i++) {
            var admission = keeper.admit(HOLDER).toCompletableFuture();
            billingRefusesUntilDone(admission);
            if (admission.join() instanceof LeaseKeeper.Admission.Granted) {
                served++;
            } else {
                assertThat(admission.join()).isEqualTo(new LeaseKeeper.Admission.Unavailable(true));
            }
        }
        assertThat(served).as("the live slice (5) and one allowance of the same size (5)").isEqualTo(10);
        assertThat(billing.settlements).as("the allowance is never settled: billing did not grant it")
                .extracting(LeaseSettlement::spentNanos).containsExactly(5_000L);
    }

    @Test
    void aTenantBlockedByBillingGetsNoOutageAllowance() {
        var moving = new SettableClock(NOW);
        var keeper = new LeaseKeeper(billing::request, billing::settle, "eu-central-1", "eu-central",
                Duration.ZERO, moving);
        keeper.admit(HOLDER);
        billing.answerLast(granted(5));
        keeper.admit(HOLDER);
        moving.set(NOW.plusSeconds(61)); // expired
        var refused = keeper.admit(HOLDER).toCompletableFuture();
        billing.pending.forEach(f -> f.complete(blockedUntil(NOW.plusSeconds(90))));
        assertThat(refused.join()).isInstanceOf(LeaseKeeper.Admission.Refused.class);
        moving.set(NOW.plusSeconds(91)); // the refusal has expired, and billing is gone
        var call = keeper.admit(HOLDER).toCompletableFuture();
        billing.pending.getLast().completeExceptionally(new RuntimeException("connection refused"));
        assertThat(call.join()).isEqualTo(new LeaseKeeper.Admission.Unavailable(false));
    }

    @Test
    void theAllowanceIsGivenOncePerOutageAndAgainAfterBillingGrantedALease() {
        var keeper = new LeaseKeeper(billing::request, billing::settle, "eu-central-1", "eu-central",
                Duration.ZERO, Clock.fixed(NOW, ZoneOffset.UTC));
        keeper.admit(HOLDER);
        billing.answerLast(granted(1));
        int served = countServed(keeper, 10);
        assertThat(served).as("one allowance of one request").isEqualTo(1);
        var back = keeper.admit(HOLDER).toCompletableFuture();
        billing.answerLast(granted(1)); // billing is back
        assertThat(back.join()).isInstanceOf(LeaseKeeper.Admission.Granted.class);
        assertThat(countServed(keeper, 10)).as("a new outage, a new allowance").isEqualTo(1);
    }

    private int countServed(LeaseKeeper keeper, int calls) {
        int served = 0;
        for (int i = 0; i < calls; i++) {
            var admission = keeper.admit(HOLDER).toCompletableFuture();
            billingRefusesUntilDone(admission);
            if (admission.join() instanceof LeaseKeeper.Admission.Granted) {
                served++;
            }
        }
        return served;
    }

    /** Billing refuses every request it is asked (also those asked while refusing) until the call is decided. */
    private void billingRefusesUntilDone(CompletableFuture<LeaseKeeper.Admission> admission) {
        for (int round = 0; !admission.isDone(); round++) {
            assertThat(round).as("the call is decided after a few refused lease requests").isLessThan(100);
            billing.pending.forEach(f -> f.completeExceptionally(new RuntimeException("connection refused")));
        }
    }

    static QuotaLease blockedUntil(Instant expiresAt) {
        return new QuotaLease(UUID.randomUUID(), TENANT, null, QuotaLease.BLOCKED, "hard_budget_reached",
                "Your hard budget of EUR 5.00 for November is used up.", "EUR", null, null, null, expiresAt);
    }
}
