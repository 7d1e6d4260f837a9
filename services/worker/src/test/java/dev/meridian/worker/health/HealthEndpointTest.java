package dev.meridian.worker.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.kafka.BatchConsumer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The worker's readiness follows its consumers: DOWN, naming the one and why, while one is not consuming. */
class HealthEndpointTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    private static HttpResponse<String> get(HealthEndpoint endpoint, String path) throws Exception {
        try (var client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + endpoint.port() + path))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void readinessIsDownWhileAConsumerWaitsToRestartAndUpOnceItConsumesAgain() throws Exception {
        var cancels = new AtomicReference<>(new BatchConsumer.Health(BatchConsumer.State.BACKING_OFF, AT, Set.of(),
                "java.lang.IllegalStateException: boom"));
        var jobs = new BatchConsumer.Health(BatchConsumer.State.CONSUMING, AT, Set.of(), null);
        try (var endpoint = HealthEndpoint.start(0, () -> Map.of("finetune-jobs consumer", jobs,
                "finetune-cancels consumer", cancels.get()), () -> true)) {
            var down = get(endpoint, "/health/ready");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("\"status\":\"DOWN\"").contains("finetune-cancels consumer")
                    .contains("BACKING_OFF").contains("boom");

            cancels.set(new BatchConsumer.Health(BatchConsumer.State.CONSUMING, AT, Set.of(), null));
            var up = get(endpoint, "/health/ready");
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.body()).contains("\"status\":\"UP\"");
            assertThat(get(endpoint, "/health/live").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void livenessIsDownOnceTheWorkerHasStoppedForGood() throws Exception {
        try (var endpoint = HealthEndpoint.start(0, Map::of, () -> false)) {
            assertThat(get(endpoint, "/health/live").statusCode()).isEqualTo(503);
        }
    }
}
