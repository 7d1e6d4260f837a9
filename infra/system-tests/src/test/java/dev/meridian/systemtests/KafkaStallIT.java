package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The Kafka broker stalled for 15 s (SIGSTOP, then SIGCONT) while a tenant's program calls the gateway: no call fails,
 * and every served call is billed exactly once (the gateway spools usage and sends it when the broker is back;
 * billing ingests idempotently by event id). Issue #12's measured fault, kept as a system test.
 */
class KafkaStallIT {

    static final Duration STALL = Duration.ofSeconds(15);

    @Test
    void aStalledBrokerLosesNoCallAndEveryServedCallIsBilledOnce() throws Exception {
        var platform = SystemUnderTest.platform();
        String gateway = SystemUnderTest.eu();
        Instant from = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Stalled Broker Co", "eu-central");
        Operator.setPlan(tenant, "enterprise", "eu-central"); // a rate limit above what two cores serve
        String key = owner.createKeySecret(tenant, List.of("inference"));
        Gateways.awaitEnterpriseLimit(gateway, key);

        var outcomes = new CallOutcomes();
        HttpClient client = Load.client();
        var phase = new AtomicReference<>("before");
        var running = new AtomicBoolean(true);
        List<Thread> callers = Load.callers(4, client, gateway, key, outcomes, phase, running);
        await("served under load").atMost(Duration.ofSeconds(30)).until(() -> outcomes.get("before 200") >= 20);

        long broker = platform.part("kafka").pid();
        signal("STOP", broker);
        phase.set("stall");
        try {
            long stalled = System.nanoTime();
            await("the broker's stall of " + STALL.toSeconds() + " s").atMost(STALL.plusSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> System.nanoTime() - stalled >= STALL.toNanos());
        } finally {
            signal("CONT", broker);
        }
        phase.set("after");
        long servedAtResume = outcomes.served();
        await("served after the broker is back").atMost(Duration.ofSeconds(30))
                .until(() -> outcomes.served() >= servedAtResume + 20);
        running.set(false);
        for (Thread t : callers) {
            t.join(Duration.ofSeconds(60));
        }
        System.out.printf("[kafka stall] %s%n", outcomes.counts);

        assertThat(outcomes.unexpected).as("calls that were not 200").isEmpty();
        assertThat(outcomes.get("stall 200")).as("served while the broker was stalled").isGreaterThan(0);
        Load.awaitBilledRequests(owner, tenant, from, outcomes.served());
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
    }
}
