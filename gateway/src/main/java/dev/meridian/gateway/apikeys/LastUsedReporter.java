package dev.meridian.gateway.apikeys;

import dev.meridian.common.auth.ServiceToken;
import dev.meridian.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Remembers when each key was last used and reports it to tenancy every
 * {@code meridian.gateway.last-used-flush-interval}, off the request path ({@code POST
 * /internal/v1/api-keys/last-used}). A report tenancy does not take is kept for the next round, so an outage loses
 * nothing but timeliness; only the newest time per key is kept.
 */
@ApplicationScoped
public class LastUsedReporter {

    /** Tenancy takes at most this many uses per report. */
    static final int MAX_BATCH = 10_000;

    private static final Logger LOG = Logger.getLogger(LastUsedReporter.class);

    private record Use(UUID tenantId, long atMillis) {
        static Use newer(Use a, Use b) {
            return a.atMillis() >= b.atMillis() ? a : b;
        }
    }

    @Inject
    GatewayConfig config;
    @Inject
    Vertx vertx;
    @Inject
    ServiceToken serviceToken;

    private final ConcurrentHashMap<UUID, Use> pending = new ConcurrentHashMap<>();
    private WebClient http;
    private long timer = -1;
    private volatile boolean warned;

    void start(@Observes StartupEvent event) {
        http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setMaxPoolSize(2));
        timer = vertx.setPeriodic(config.lastUsedFlushInterval().toMillis(), id -> flush());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    public void used(KeyRecord key) {
        pending.put(key.keyId(), new Use(key.tenantId(), System.currentTimeMillis()));
    }

    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Map<UUID, Use> taken = new java.util.HashMap<>();
        for (UUID keyId : List.copyOf(pending.keySet())) {
            if (taken.size() == MAX_BATCH) {
                break;
            }
            Use use = pending.remove(keyId);
            if (use != null) {
                taken.put(keyId, use);
            }
        }
        var used = new JsonArray(new ArrayList<>(taken.size()));
        taken.forEach((keyId, use) -> used.add(new JsonObject().put("key_id", keyId.toString())
                .put("tenant_id", use.tenantId().toString())
                .put("at", Instant.ofEpochMilli(use.atMillis()).toString())));
        serviceToken.get().subscribeAsCompletionStage()
                .thenCompose(token -> http.postAbs(config.tenancyUrl().replaceAll("/+$", "")
                                + "/internal/v1/api-keys/last-used")
                        .putHeader("Authorization", "Bearer " + token)
                        .timeout(config.tenancyTimeout().toMillis())
                        .sendJsonObject(new JsonObject().put("used", used))
                        .toCompletionStage())
                .whenComplete((response, failure) -> {
                    if (failure == null && response.statusCode() == 204) {
                        warned = false;
                        return;
                    }
                    taken.forEach((keyId, use) -> pending.merge(keyId, use, Use::newer));
                    String why = failure != null ? failure.toString() : "status " + response.statusCode();
                    if (!warned) {
                        LOG.warnf("tenancy did not take the last-used report (%s); keeping %d uses for the next try",
                                why, taken.size());
                        warned = true;
                    }
                });
    }

    /** How many keys' uses wait to be reported. */
    public int pendingCount() {
        return pending.size();
    }
}
