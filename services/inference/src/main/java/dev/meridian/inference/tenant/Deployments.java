package dev.meridian.inference.tenant;

import dev.meridian.inference.config.InferenceConfig;
import io.quarkus.oidc.client.OidcClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import jakarta.annotation.PostConstruct;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which versions of a tenant model are deployed, asked of the region's registry on a miss and cached briefly
 * ({@code cache-ttl}). The registry's change events drop entries at once ({@link #invalidate}), so an undeploy stops
 * serving within about a second, not a TTL. Names come from callers, so the cache is bounded: only deployed models
 * get an entry (an unknown name is asked each time and leaves nothing behind), at most
 * {@code max-cached-deployments} of them, least recently used first out; concurrent lookups of one name share one
 * registry call.
 */
@ApplicationScoped
public class Deployments {

    /**
     * Raised when the registry cannot be asked (down, slow, refusing the token, or paused by the circuit breaker):
     * the caller answers 503.
     */
    public static class RegistryUnavailable extends RuntimeException {
        public RegistryUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Entry(Optional<DeployedModel> model, long expiresAtNanos) {
    }

    @Inject
    InferenceConfig config;
    @Inject
    ModelRegistry registry;

    private Map<String, Entry> cache;
    /** Lookups under way, one per key: bounded by the calls in flight, each removed when it is answered. */
    private final Map<String, CompletableFuture<Optional<DeployedModel>>> asking = new ConcurrentHashMap<>();
    /**
     * Bumped by every invalidation: a lookup that started before one is not cached, so an answer fetched before an
     * event cannot outlive it. One counter rather than one per name, so that it never grows.
     */
    private final AtomicLong generation = new AtomicLong();

    @PostConstruct
    void init() {
        int max = config.tenantModels().maxCachedDeployments();
        cache = Collections.synchronizedMap(new LinkedHashMap<String, Entry>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Deployments.Entry> eldest) {
                return size() > max;
            }
        });
    }

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
        var mine = new CompletableFuture<Optional<DeployedModel>>();
        var other = asking.putIfAbsent(key, mine);
        if (other != null) {
            try {
                return other.join();
            } catch (CompletionException x) {
                throw x.getCause() instanceof RuntimeException r ? r : x;
            }
        }
        try {
            long before = generation.get();
            Optional<DeployedModel> found = ask(tenantId, model);
            if (found.isPresent() && generation.get() == before) {
                cache.put(key, new Entry(found, System.nanoTime() + config.tenantModels().cacheTtl().toNanos()));
            }
            mine.complete(found);
            return found;
        } catch (RuntimeException x) {
            mine.completeExceptionally(x);
            throw x;
        } finally {
            asking.remove(key, mine);
        }
    }

    public void invalidate(UUID tenantId, String model) {
        generation.incrementAndGet();
        cache.remove(key(tenantId, model));
    }

    public void invalidateAll() {
        generation.incrementAndGet();
        cache.clear();
    }

    /** Deployments cached now (for operators and tests of the bound). */
    public int cached() {
        return cache.size();
    }

    /** Asks through the proxy of {@link ModelRegistry}, whose timeout, retries and circuit breaker apply. */
    private Optional<DeployedModel> ask(UUID tenantId, String model) {
        try {
            return registry.deployed(tenantId, model);
        } catch (CircuitBreakerOpenException e) {
            throw new RegistryUnavailable("the model registry failed repeatedly just now and is not asked again for"
                    + " a few seconds", e);
        } catch (TimeoutException e) {
            throw new RegistryUnavailable("the model registry did not answer in time", e);
        } catch (ProcessingException e) {
            throw new RegistryUnavailable(notAnswered(e), e);
        }
    }

    /** Why a call got no answer: this service has no token to send, or the registry could not be reached. */
    private static String notAnswered(ProcessingException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof OidcClientException) {
                return "no service token for the model registry: " + t.getMessage();
            }
        }
        return "the model registry did not answer: " + e.getMessage();
    }

    private static String key(UUID tenantId, String model) {
        return tenantId + "/" + model;
    }
}
