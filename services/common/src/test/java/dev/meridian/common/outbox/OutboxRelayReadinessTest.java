package dev.meridian.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** A relay is ready while its loop completes rounds, whether or not Kafka takes its messages. */
class OutboxRelayReadinessTest {

    private static final Duration STALLED_AFTER = Duration.ofSeconds(30);

    private final Clock clock = Clock.fixed(Instant.parse("2030-03-01T12:00:00Z"), ZoneOffset.UTC);
    private final Instant lastPublished = clock.instant().minus(Duration.ofMinutes(10));

    @Test
    void aRelayThatCannotReachKafkaIsUpAndSaysSoWithItsBacklog() {
        var response = readiness(clock.instant().minusSeconds(2), Optional.of("Kafka did not acknowledge"),
                new OutboxMetrics.Backlog(42, 600.2, 0));

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(response.getData().orElseThrow())
                .containsEntry("relay", "running")
                .containsEntry("kafka", "unreachable, messages wait: Kafka did not acknowledge")
                .containsEntry("backlog", 42L)
                .containsEntry("oldestUnpublishedAgeSeconds", 601L)
                .containsEntry("lastPublished", "2030-03-01T11:50:00Z");
    }

    @Test
    void aRelayWhoseLoopCompletedNoRoundForSeveralIntervalsIsDown() {
        var response = readiness(clock.instant().minus(STALLED_AFTER).minusSeconds(1), Optional.empty(),
                new OutboxMetrics.Backlog(3, 31, 0));

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat((String) response.getData().orElseThrow().get("relay")).startsWith("no round since");
    }

    @Test
    void aRelayAtTheEdgeOfTheStallLimitIsStillUp() {
        var response = readiness(clock.instant().minus(STALLED_AFTER), Optional.empty(),
                new OutboxMetrics.Backlog(0, 0, 0));

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(response.getData().orElseThrow()).containsEntry("kafka", "reachable");
    }

    @Test
    void anUnmeasurableBacklogIsReportedAsUnknownNotAsZero() {
        var response = readiness(clock.instant(), Optional.empty(), new OutboxMetrics.Backlog(-1, Double.NaN, 0));

        assertThat(response.getData().orElseThrow().get("backlog")).asString().startsWith("unknown");
    }

    @Test
    void theStallLimitIsSeveralPollIntervalsButNeverShorterThanARoundWithKafkaAway() {
        assertThat(OutboxRelay.stalledAfter(Duration.ofMillis(500))).isEqualTo(OutboxRelay.STALLED_AT_LEAST);
        assertThat(OutboxRelay.stalledAfter(Duration.ofSeconds(10)))
                .isEqualTo(Duration.ofSeconds(10).multipliedBy(OutboxRelay.STALLED_ROUNDS));
    }

    private HealthCheckResponse readiness(Instant lastProgress, Optional<String> lastFailure,
            OutboxMetrics.Backlog backlog) {
        return OutboxRelay.readiness("test-outbox-relay", clock.instant(), STALLED_AFTER, lastProgress,
                Optional.of(lastPublished), lastFailure, backlog);
    }
}
