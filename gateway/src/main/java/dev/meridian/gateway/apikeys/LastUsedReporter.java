package dev.meridian.gateway.apikeys;

import dev.meridian.gateway.config.GatewayConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/** Remembers when each key was last used and reports it to tenancy in batches, off the request path. */
@ApplicationScoped
public class LastUsedReporter {

    private static final Logger LOG = Logger.getLogger(LastUsedReporter.class);

    private record Use(UUID tenantId, Instant at) {
    }

    @Inject
    GatewayConfig config;
    @Inject
    Vertx vertx;
    @Inject
    ServiceToken serviceToken;

    private final ConcurrentHashMap<UUID, Use> pending = new ConcurrentHashMap<>();
    private WebClient http;

    void start(@Observes StartupEvent event) {
        http = WebClient.create(vertx);
        vertx.setPeriodic(config.lastUsedFlushInterval().toMillis(), id -> flush());
    }

    public void used(KeyRecord key) {
        pending.put(key.keyId(), new Use(key.tenantId(), Instant.now()));
    }

    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        var batch = new JsonArray();
        for (Map.Entry<UUID, Use> e : Map.copyOf(pending).entrySet()) {
            pending.remove(e.getKey(), e.getValue());
            batch.add(new JsonObject().put("key_id", e.getKey().toString())
                    .put("tenant_id", e.getValue().tenantId().toString()).put("at", e.getValue().at().toString()));
        }
        serviceToken.get()
                .thenCompose(token -> http.postAbs(config.tenancyUrl() + "/internal/v1/api-keys/last-used")
                        .putHeader("Authorization", "Bearer " + token).timeout(5000)
                        .sendJsonObject(new JsonObject().put("used", batch)).toCompletionStage())
                .whenComplete((response, failure) -> {
                    if (failure != null || response.statusCode() != 204) {
                        LOG.debugf("last-used report not accepted (%s); it is best effort",
                                failure != null ? failure.getMessage() : response.statusCode());
                    }
                });
    }
}
