package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.platform.supervisor.SupervisedPart;
import dev.meridian.stack.ServiceProcess;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Billing is not on the serving path's critical path (issue #12, faults): billing killed with SIGKILL and kept away
 * for 60 s while two tenants' programs call the eu-central gateway. A tenant without a hard budget loses no call and
 * every served call is billed exactly once after billing is back; a tenant with a hard budget spends its live slice
 * and one outage allowance, then hears 503 {@code billing_unavailable}, and is billed within the stated bound.
 */
class BillingOutageIT {

    static final Duration OUTAGE = Duration.ofSeconds(60);
    /** Usage is read from the hour before the test began, so a month's end during the run changes nothing. */
    static final Instant FROM = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
    /**
     * Tenant B's requests cost 1 cent each (an enterprise custom price) against a hard budget of 1.00: billing's
     * slices are 10 % of what remains (here at most 10 cents, 10 calls), so during the outage B may spend at most its
     * live slice and one allowance of the same size, 20 calls, plus the one its caller has in flight.
     */
    static final long CENT_NANOS = 1_000_000_000L;
    static final long HARD_BUDGET_MINOR = 100;
    static final int B_BEFORE_OUTAGE = 10;
    static final long B_OUTAGE_BOUND = 2 * (HARD_BUDGET_MINOR / 10) + 1;

    @Test
    void servingGoesOnWhileBillingIsKilledAndEveryServedCallIsBilledOnceItIsBack() throws Exception {
        var platform = SystemUnderTest.platform();
        String gateway = SystemUnderTest.eu();
        var owner = ConsoleUser.signUp();
        String unbounded = owner.createTenant("No Budget Co", "eu-central");
        String bounded = owner.createTenant("Hard Budget Co", "eu-central");
        // enterprise: a rate limit far above what two cores serve, and no free-tier quotas (which limit like a budget)
        Operator.setPlan(unbounded, "enterprise", "eu-central");
        setEnterprisePlanWithRequestPrice(bounded, CENT_NANOS);
        owner.api().queryParam("tenant_id", bounded).body(Map.of("hard_budget_minor", HARD_BUDGET_MINOR))
                .put("/api/v1/billing/budgets").then().statusCode(200);
        String keyA = owner.createKeySecret(unbounded, List.of("inference"));
        String keyB = owner.createKeySecret(bounded, List.of("inference"));
        for (String key : List.of(keyA, keyB)) {
            Gateways.awaitEnterpriseLimit(gateway, key);
        }

        var a = new CallOutcomes();
        var b = new CallOutcomes();
        HttpClient client = Load.client();
        // Tenant B spends most of its budget with billing up, one call at a time.
        for (int i = 0; i < B_BEFORE_OUTAGE; i++) {
            var answer = Load.embed(client, gateway, keyB);
            b.count("before", answer.statusCode(), answer.body());
        }
        assertThat(b.get("before 200")).as("B's calls before the outage: %s", b.unexpected)
                .isEqualTo(B_BEFORE_OUTAGE);

        var phase = new java.util.concurrent.atomic.AtomicReference<>("before");
        var running = new AtomicBoolean(true);
        List<Thread> callers = new ArrayList<>(Load.callers(4, client, gateway, keyA, a, phase, running));
        await("A served under load").atMost(Duration.ofSeconds(30))
                .until(() -> a.get("before 200") >= 20);

        SupervisedPart billing = platform.part("billing");
        long pid = billing.pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL, as the outage probe did
        billing.stop(); // and the supervisor does not bring it back before the test does
        phase.set("outage");
        long outageStart = System.nanoTime();
        callers.add(Thread.ofVirtual().start(() -> {
            while (running.get()) {
                String p = phase.get();
                int status;
                try {
                    var answer = Load.embed(client, gateway, keyB);
                    status = answer.statusCode();
                    b.count(p, status, answer.body());
                } catch (RuntimeException e) {
                    status = 0;
                    b.count(p, status, e.toString());
                }
                if (status != 200) {
                    pause(Duration.ofMillis(100));
                }
            }
        }));
        await("billing's outage of " + OUTAGE.toSeconds() + " s").atMost(OUTAGE.plusSeconds(30))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> System.nanoTime() - outageStart >= OUTAGE.toNanos());
        phase.set("recovery");
        billing.start();
        await("billing ready again").atMost(Duration.ofMinutes(2))
                .until(() -> ServiceProcess.ready(platform.billingUrl()));
        await("B is served again once billing answers").atMost(Duration.ofSeconds(60))
                .until(() -> b.get("recovery 200") > 0 || b.get("recovery 402") > 0);
        running.set(false);
        for (Thread t : callers) {
            t.join(Duration.ofSeconds(60));
        }
        System.out.printf("[billing outage] A: %s; B: %s%n", a.counts, b.counts);

        // A: nothing failed, before, during or after the outage
        assertThat(a.unexpected).as("A's calls that were not 200").isEmpty();
        assertThat(a.get("outage 200")).as("A served during the outage").isGreaterThan(0);
        // B: the live slice and one allowance during the outage, then 503 saying why
        assertThat(b.unexpected).as("B's calls that were neither 200 nor 503 billing_unavailable")
                .allMatch(u -> u.contains(" 402 ") && !u.startsWith("outage"));
        assertThat(b.get("outage billing_unavailable")).as("B refused once its allowance was spent").isGreaterThan(0);
        assertThat(b.get("outage 200")).as("B's calls served during the outage: live slice + one allowance")
                .isBetween(1L, B_OUTAGE_BOUND);

        // exact usage after recovery: every served call billed once
        long servedA = a.served();
        long servedB = b.served();
        Load.awaitBilledRequests(owner, unbounded, FROM, servedA);
        Load.awaitBilledRequests(owner, bounded, FROM, servedB);
        assertThat(servedB).as("B's billed requests at 1 cent each, within its hard budget")
                .isLessThanOrEqualTo(HARD_BUDGET_MINOR);
    }

    private static void setEnterprisePlanWithRequestPrice(String tenant, long nanos) {
        io.restassured.RestAssured.given().baseUri(SystemUnderTest.eu()).auth().oauth2(Operator.token())
                .contentType(io.restassured.http.ContentType.JSON)
                .body(Map.of("plan", "enterprise", "region", "eu-central",
                        "custom_prices_nanos", Map.of("requests", nanos)))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant)
                .then().statusCode(200);
    }

    /** A caller that was refused backs off a little, as a polite client does; not a wait for a condition. */
    private static void pause(Duration d) {
        java.util.concurrent.locks.LockSupport.parkNanos(d.toNanos());
    }
}
