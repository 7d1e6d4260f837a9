package dev.meridian.gateway.apikeys;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.auth.ServiceToken;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Tenancy's internal lookups, called with the gateway's service token over pooled keep-alive connections: a key by
 * its prefix ({@code GET /internal/v1/api-keys/{prefix}}), and a signed-in user's membership of a tenant as a caller
 * ({@code GET /internal/v1/tenants/{t}/members/by-user/{user}}, the same record with the member's id as the key's).
 * Only cache misses come here.
 * <p>
 * Vert.x' WebClient rather than the REST client with Fault Tolerance (as billing and inference call other services):
 * this runs on the event loop inside admission, and its failure policy is the key directory's, not a circuit
 * breaker's: lookups of one prefix are joined, unknown prefixes are cached and limited per address
 * ({@code KeyLookupLimiter}), and a failure is answered 503 with {@code Retry-After} at once. An open circuit would
 * refuse lookups of keys the next request could have found; the gateway's own overhead is what issue #16 measures.
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
    private String keysBase;
    private String tenantsBase;
    /** Set while lookups fail, so an outage is logged once rather than once per request. */
    private volatile boolean failing;

    @PostConstruct
    void init() {
        http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setMaxPoolSize(50)
                .setConnectTimeout((int) config.tenancyTimeout().toMillis()).setIdleTimeout(60));
        String tenancy = config.tenancyUrl().replaceAll("/+$", "");
        keysBase = tenancy + "/internal/v1/api-keys/";
        tenantsBase = tenancy + "/internal/v1/tenants/";
    }

    /** Empty when tenancy knows no key with this prefix; fails with {@link Unavailable} when it cannot say. */
    public CompletionStage<Optional<KeyRecord>> find(String prefix) {
        return lookUp(keysBase + prefix);
    }

    /**
     * The user (Keycloak subject) as a caller for the tenant: empty when they are no active member of it (or there is
     * no such tenant); fails with {@link Unavailable} when tenancy cannot say.
     */
    public CompletionStage<Optional<KeyRecord>> findMember(UUID tenant, String user) {
        return lookUp(tenantsBase + tenant + "/members/by-user/" + URLEncoder.encode(user, StandardCharsets.UTF_8));
    }

    private CompletionStage<Optional<KeyRecord>> lookUp(String url) {
        long timeout = config.tenancyTimeout().toMillis();
        return serviceToken.get().subscribeAsCompletionStage()
                .thenCompose(token -> http.getAbs(url)
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
                        LOG.infof("key and member lookups at %s work again", config.tenancyUrl());
                    }
                })
                .exceptionallyCompose(failure -> {
                    Throwable cause = failure instanceof CompletionException c && c.getCause() != null
                            ? c.getCause() : failure;
                    if (!failing) {
                        failing = true;
                        LOG.warnf("key and member lookups at %s fail (%s); cache misses get 503 until tenancy answers again",
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
            default -> throw new Unavailable("tenancy answered " + response.statusCode() + " to a lookup: "
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
