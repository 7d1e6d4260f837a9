package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/** Calls to the {@code /v1} API of a regional gateway, as a tenant's program would make them. */
final class Gateways {

    private Gateways() {
    }

    static Response listModels(String gatewayUrl, String apiKey) {
        return given().baseUri(gatewayUrl).header("Authorization", "Bearer " + apiKey).get("/v1/models");
    }

    /**
     * Sends {@code count} {@code GET /v1/models} calls at once, so they reach the gateway within a short window whatever
     * the speed of the machine, as a burst of a tenant's program would; returns the answers in no particular order.
     */
    static List<HttpResponse<String>> burstOfListModels(String gatewayUrl, String apiKey, int count) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gatewayUrl + "/v1/models"))
                .header("Authorization", "Bearer " + apiKey).timeout(Duration.ofSeconds(30)).GET().build();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, count)
                    .mapToObj(i -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString())).toList();
            return calls.stream().map(CompletableFuture::join).toList();
        }
    }

    /**
     * Polls {@code GET /v1/models} until the answer satisfies {@code done}; returns how long that took, or fails after
     * {@code limit} with the last answer. Polling stops as soon as the condition holds, so the figure is an upper bound
     * of the delay. {@code what} says what the gateway is waited for ("refuses the revoked key").
     */
    static Duration timeUntil(String gatewayUrl, String apiKey, String what, Predicate<Response> done,
            Duration limit) {
        long start = System.nanoTime();
        await("gateway " + gatewayUrl + " " + what).atMost(limit)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> listModels(gatewayUrl, apiKey), r -> assertThat(done.test(r))
                        .as("gateway %s answered %d %s", gatewayUrl, r.statusCode(), r.asString()).isTrue());
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Waits until the gateway serves {@code apiKey} under the enterprise plan's limit (1000 per second). A 429 that
     * already names the new limit does not count: the key's bucket may still be empty from its old plan.
     */
    static void awaitEnterpriseLimit(String gatewayUrl, String apiKey) {
        timeUntil(gatewayUrl, apiKey, "serves the key under the enterprise limit",
                r -> r.statusCode() == 200 && "1000".equals(r.header("x-ratelimit-limit-requests")),
                Duration.ofSeconds(30));
    }
}
