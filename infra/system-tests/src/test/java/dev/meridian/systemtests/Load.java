package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/** Embedding calls as a tenant's program makes them under load, and what billing billed for them. */
final class Load {

    private Load() {
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** The model the load embeds with. */
    static final String MODEL = "all-minilm-l6-v2";

    /**
     * Waits until billing's usage of {@code tenant} since {@code from} shows exactly {@code expected} embedding
     * requests (the test's other calls, such as model lists while it waits for a plan, are billed too, under no model).
     */
    static void awaitBilledRequests(ConsoleUser owner, String tenant, Instant from, long expected) {
        await("billing has billed each of " + expected + " served calls of " + tenant + " once")
                .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> owner.api().queryParam("tenant_id", tenant)
                        .queryParam("from", from.toString()).queryParam("to", Instant.now().plus(Duration.ofHours(1))
                                .truncatedTo(ChronoUnit.HOURS).toString())
                        .queryParam("group_by", "model").get("/api/v1/billing/usage"),
                        (Response r) -> {
                            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
                            List<Map<String, Object>> data = r.path("data");
                            long requests = data.stream().filter(f -> "requests".equals(f.get("meter"))
                                            && MODEL.equals(f.get("model")))
                                    .mapToLong(f -> ((Number) f.get("quantity")).longValue()).sum();
                            assertThat(requests).as("billed requests of %s", tenant).isEqualTo(expected);
                        });
    }

    static HttpResponse<String> embed(HttpClient client, String gateway, String key) {
        var request = HttpRequest.newBuilder(URI.create(gateway + "/v1/embeddings"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL + "\",\"input\":\"hello"
                        + " world\"}"))
                .build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("the gateway did not answer: " + e, e);
        }
    }

    /**
     * A caller's think time between calls (50 ms): four callers then send up to 80 calls a second, load enough for
     * the faults to meet calls in flight, and few enough events that billing catches up within the test's wait.
     */
    static void pace() {
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }

    /**
     * Starts {@code count} callers that embed with {@code key} until {@code running} is false, each with the think time
     * of {@link #pace()}, counting every answer (or failure to answer) under the phase current when it was sent.
     */
    static List<Thread> callers(int count, HttpClient client, String gateway, String key, CallOutcomes outcomes,
            java.util.concurrent.atomic.AtomicReference<String> phase,
            java.util.concurrent.atomic.AtomicBoolean running) {
        List<Thread> callers = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            callers.add(Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    String p = phase.get();
                    try {
                        var answer = embed(client, gateway, key);
                        outcomes.count(p, answer.statusCode(), answer.body());
                    } catch (RuntimeException e) {
                        outcomes.count(p, 0, e.toString());
                    }
                    pace();
                }
            }));
        }
        return callers;
    }
}
