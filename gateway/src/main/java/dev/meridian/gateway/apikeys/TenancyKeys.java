package dev.meridian.gateway.apikeys;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.buffer.Buffer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Tenancy's internal key lookup, {@code GET /internal/v1/api-keys/{prefix}}, called with the gateway's service
 * token over pooled keep-alive connections. Only cache misses come here.
 */
@ApplicationScoped
public class TenancyKeys {

    /** Tenancy could not be asked or gave no usable answer; the request gets a 503 and may be retried. */
    public static class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Logger LOG = Logger.getLogger(TenancyKeys.class);

    @Inject
    GatewayConfig config;
    @Inject
    Vertx vertx;
    @Inject
    ServiceToken serviceToken;
    @Inject
    ObjectMapper json;

    private WebClient http;
    private String base;
    /** Set while lookups fail, so an outage is logged once rather than once per request. */
    private volatile boolean failing;

    @PostConstruct
    void init() {
        http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setMaxPoolSize(50)
                .setConnectTimeout((int) config.tenancyTimeout().toMillis()).setIdleTimeout(60));
        base = config.tenancyUrl().replaceAll("/+$", "") + "/internal/v1/api-keys/";
    }

    /** Empty when tenancy knows no key with this prefix; fails with {@link Unavailable} when it cannot say. */
    public CompletionStage<Optional<KeyRecord>> find(String prefix) {
        long timeout = config.tenancyTimeout().toMillis();
        return serviceToken.get()
                .thenCompose(token -> http.getAbs(base + prefix)
                        .putHeader("Authorization", "Bearer " + token)
                        .timeout(timeout)
                        .send()
                        .toCompletionStage())
                .thenApply(this::read)
                .toCompletableFuture()
                .orTimeout(2 * timeout, TimeUnit.MILLISECONDS)
                .whenComplete((found, failure) -> {
                    if (failure == null && failing) {
                        failing = false;
                        LOG.infof("key lookups at %s work again", config.tenancyUrl());
                    }
                })
                .exceptionallyCompose(failure -> {
                    Throwable cause = failure instanceof CompletionException c && c.getCause() != null
                            ? c.getCause() : failure;
                    if (!failing) {
                        failing = true;
                        LOG.warnf("key lookups at %s fail (%s); cache misses get 503 until tenancy answers again",
                                config.tenancyUrl(), cause.toString());
                    }
                    return CompletableFuture.failedFuture(cause instanceof Unavailable ? cause
                            : new Unavailable("tenancy did not answer", cause));
                });
    }

    private Optional<KeyRecord> read(HttpResponse<Buffer> response) {
        return switch (response.statusCode()) {
            case 200 -> Optional.of(parse(response.bodyAsString()));
            case 404 -> Optional.empty();
            default -> throw new Unavailable("tenancy answered " + response.statusCode() + " to a key lookup: "
                    + response.bodyAsString(), null);
        };
    }

    private KeyRecord parse(String body) {
        try {
            return json.readValue(body, KeyRecord.class);
        } catch (IOException e) {
            throw new Unavailable("unreadable key record from tenancy: " + e.getMessage(), e);
        }
    }
}
