package dev.meridian.gateway.budgets;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.auth.ServiceToken;
import dev.meridian.common.billing.LeaseRequest;
import dev.meridian.common.billing.LeaseSettlement;
import dev.meridian.common.billing.QuotaLease;
import dev.meridian.common.billing.RateLease;
import dev.meridian.common.billing.RateLeaseRequest;
import dev.meridian.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Billing's lease API, called with the gateway's service token: {@code POST /internal/v1/leases},
 * {@code POST /internal/v1/leases/{id}/settle} and {@code POST /internal/v1/rate-leases}. Never blocks; failures
 * complete the stage exceptionally.
 * <p>
 * Vert.x' WebClient rather than the REST client with Fault Tolerance: billing is off the serving path by design, and
 * what a failure means is decided by the callers ({@code LeaseKeeper} serves on an outage allowance, {@code
 * RateSlices} falls back to the local bucket and probes billing every {@code retry-after-failure}). A circuit breaker
 * or retries here would contradict those bounds, which issue #12's outage tests check.
 */
@ApplicationScoped
public class BillingLeases {

    /** Billing could not be asked or gave no usable answer. */
    public static class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }

    @Inject
    GatewayConfig config;
    @Inject
    Vertx vertx;
    @Inject
    ServiceToken serviceToken;
    @Inject
    ObjectMapper json;

    private WebClient http;

    @PostConstruct
    void init() {
        long timeout = config.budgets().billingTimeout().toMillis();
        http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setMaxPoolSize(20)
                .setConnectTimeout((int) timeout).setIdleTimeout(60));
    }

    public CompletionStage<QuotaLease> request(LeaseRequest request) {
        return post(LeaseRequest.PATH, request, config.budgets().billingTimeout().toMillis()).thenApply(response -> {
            if (response.statusCode() != 200 && response.statusCode() != 201) {
                throw new Unavailable("billing answered " + response.statusCode() + " to a lease request: "
                        + response.bodyAsString());
            }
            try {
                return json.readValue(response.bodyAsString(), QuotaLease.class);
            } catch (IOException e) {
                throw new Unavailable("unreadable lease from billing: " + e.getMessage());
            }
        });
    }

    public CompletionStage<Void> settle(UUID leaseId, LeaseSettlement settlement) {
        return post(LeaseSettlement.path(leaseId), settlement, config.budgets().billingTimeout().toMillis()).thenAccept(response -> {
            if (response.statusCode() / 100 != 2) {
                throw new Unavailable("billing answered " + response.statusCode() + " to a settlement of lease "
                        + leaseId + ": " + response.bodyAsString());
            }
        });
    }

    /** The next slice of a key's rate limit, from the key's one bucket at billing. */
    public CompletionStage<RateLease> rateLease(RateLeaseRequest request) {
        return post(RateLeaseRequest.PATH, request, config.rateLimits().billingTimeout().toMillis())
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new Unavailable("billing answered " + response.statusCode() + " to a rate-limit slice"
                                + " request: " + response.bodyAsString());
                    }
                    RateLease lease;
                    try {
                        lease = json.readValue(response.bodyAsString(), RateLease.class);
                    } catch (IOException e) {
                        throw new Unavailable("unreadable rate-limit slice from billing: " + e.getMessage());
                    }
                    if (lease.granted() < 0 || lease.granted() > request.want() || lease.expiresInMs() <= 0) {
                        throw new Unavailable("billing's rate-limit slice is not one the gateway asked for: "
                                + response.bodyAsString());
                    }
                    return lease;
                });
    }

    private CompletionStage<HttpResponse<Buffer>> post(String path, Object body, long timeout) {
        String url = config.billingUrl().orElseThrow().replaceAll("/+$", "") + path;
        Buffer payload;
        try {
            payload = Buffer.buffer(json.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return serviceToken.get().subscribeAsCompletionStage()
                .thenCompose(token -> http.postAbs(url)
                        .putHeader("Authorization", "Bearer " + token)
                        .putHeader("Content-Type", "application/json")
                        .timeout(timeout)
                        .sendBuffer(payload)
                        .toCompletionStage())
                .toCompletableFuture()
                .orTimeout(2 * timeout, TimeUnit.MILLISECONDS);
    }
}
