package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;

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
     * {@code limit}. Polling stops as soon as the condition holds, so the figure is an upper bound of the delay.
     */
    static Duration timeUntil(String gatewayUrl, String apiKey, Predicate<Response> done, Duration limit) {
        long start = System.nanoTime();
        while (true) {
            Response r = listModels(gatewayUrl, apiKey);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (done.test(r)) {
                return elapsed;
            }
            if (elapsed.compareTo(limit) > 0) {
                throw new AssertionError("gateway " + gatewayUrl + " still answered " + r.statusCode() + " "
                        + r.asString() + " after " + limit.toMillis() + " ms");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
