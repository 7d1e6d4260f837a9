package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import java.time.Duration;
import java.util.function.Predicate;

/** Calls to the {@code /v1} API of a regional gateway, as a tenant's program would make them. */
final class Gateways {

    private Gateways() {
    }

    static Response listModels(String gatewayUrl, String apiKey) {
        return given().baseUri(gatewayUrl).header("Authorization", "Bearer " + apiKey).get("/v1/models");
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
