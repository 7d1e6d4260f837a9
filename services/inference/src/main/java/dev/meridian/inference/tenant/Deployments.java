package dev.meridian.inference.tenant;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.meridian.inference.config.InferenceConfig;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which versions of a tenant model are deployed, asked of the region's registry on a miss and cached briefly
 * ({@code cache-ttl}; "not deployed" for {@code miss-ttl}). The registry's change events drop entries at once
 * ({@link #invalidate}), so an undeploy stops serving within about a second, not a TTL.
 */
@ApplicationScoped
public class Deployments {

    /** Raised when the registry cannot be asked (down, refusing the token): the caller answers 503. */
    public static class RegistryUnavailable extends RuntimeException {
        public RegistryUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Entry(Optional<DeployedModel> model, long expiresAtNanos) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Inject
    InferenceConfig config;
    @Inject
    OidcClient oidc;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private volatile Tokens tokens;

    public boolean enabled() {
        return config.tenantModels().registryUrl().isPresent();
    }

    public Optional<DeployedModel> find(UUID tenantId, String model) {
        if (!enabled()) {
            return Optional.empty();
        }
        String key = key(tenantId, model);
        Entry e = cache.get(key);
        if (e != null && e.expiresAtNanos() - System.nanoTime() > 0) {
            return e.model();
        }
        // The generation guards against an invalidation racing this lookup: a result fetched before the event
        // must not be cached after it.
        long generation = generation(key);
        Optional<DeployedModel> found = ask(tenantId, model);
        Duration ttl = found.isPresent() ? config.tenantModels().cacheTtl() : config.tenantModels().missTtl();
        if (generation(key) == generation) {
            cache.put(key, new Entry(found, System.nanoTime() + ttl.toNanos()));
        }
        return found;
    }

    private final Map<String, Long> generations = new ConcurrentHashMap<>();

    private long generation(String key) {
        return generations.getOrDefault(key, 0L);
    }

    public void invalidate(UUID tenantId, String model) {
        String key = key(tenantId, model);
        generations.merge(key, 1L, Long::sum);
        cache.remove(key);
    }

    public void invalidateAll() {
        cache.keySet().forEach(k -> generations.merge(k, 1L, Long::sum));
        cache.clear();
    }

    private Optional<DeployedModel> ask(UUID tenantId, String model) {
        String url = config.tenantModels().registryUrl().orElseThrow().replaceAll("/+$", "") + "/internal/v1/tenants/"
                + tenantId + "/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20")
                + "/deployed";
        try {
            var response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + token()).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() == 401) {
                tokens = null; // expired or revoked: fetch a new one next time
            }
            if (response.statusCode() != 200) {
                throw new RegistryUnavailable("the model registry answered " + response.statusCode(), null);
            }
            return Optional.of(JSON.readValue(response.body(), DeployedModel.class));
        } catch (IOException e) {
            throw new RegistryUnavailable("the model registry did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailable("interrupted", e);
        }
    }

    private String token() {
        Tokens t = tokens;
        long now = System.currentTimeMillis() / 1000;
        if (t == null || (t.getAccessTokenExpiresAt() != null && t.getAccessTokenExpiresAt() - 30 <= now)) {
            try {
                t = oidc.getTokens().await().atMost(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                throw new RegistryUnavailable("no service token for the model registry: " + e.getMessage(), e);
            }
            tokens = t;
        }
        return t.getAccessToken();
    }

    private static String key(UUID tenantId, String model) {
        return tenantId + "/" + model;
    }
}
