package dev.meridian.inference.tenant;

import dev.meridian.inference.config.InferenceConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.net.URI;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * Asks the region's model registry which versions of a tenant model are deployed, and says what its answer means: a
 * 404 is "not deployed", any other status a {@link Deployments.RegistryUnavailable}. A call that gets no answer at all
 * throws the REST client's {@link ProcessingException}. Each lookup is bounded in time, retried and guarded by a
 * circuit breaker; callers reach it through its CDI proxy ({@link Deployments}), which the interceptors need, and turn
 * what those throw into a {@link Deployments.RegistryUnavailable}.
 */
@ApplicationScoped
public class ModelRegistry {

    /** The circuit breaker of the lookups, by name for operators and tests ({@code CircuitBreakerMaintenance}). */
    public static final String BREAKER = "model-registry";

    /** The registry answered with a server error (5xx): retried. */
    public static class ServerError extends Deployments.RegistryUnavailable {
        ServerError(int status, Throwable cause) {
            super("the model registry answered " + status, cause);
        }
    }

    @Inject
    InferenceConfig config;

    private ModelRegistryApi api;

    @PostConstruct
    void init() {
        // Built here rather than injected with @RestClient, as the URL is optional: without it tenant models are not
        // served and nothing calls the registry. @OidcClientFilter applies to a client built this way too: the
        // builder registers the providers that annotations give the interface (AnnotationRegisteredProviders).
        api = config.tenantModels().registryUrl()
                .map(url -> QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(url.replaceAll("/+$", "")))
                        .connectTimeout(2, TimeUnit.SECONDS).build(ModelRegistryApi.class))
                .orElse(null);
    }

    @PreDestroy
    void close() throws Exception {
        if (api instanceof AutoCloseable client) {
            client.close();
        }
    }

    /*
     * The numbers, and why. Each can be changed without a rebuild, in the units given here, e.g.
     * quarkus.fault-tolerance."dev.meridian.inference.tenant.ModelRegistry/deployed".timeout.value=3 (seconds).
     * - Timeout, 5 s per attempt: a lookup is one indexed read in the region's database and answers within
     *   milliseconds (the first one also fetches this service's token from Keycloak). An attempt still unanswered
     *   after 5 s is stuck, and the request waiting on it (a tenant's call through the gateway) has waited long
     *   enough; it is not tried again, which would only make that request wait longer.
     * - Retry, twice more, 200 ms +/- 100 ms apart: only when no answer came (a refused or reset connection, such as
     *   a registry replica restarting) or a 5xx came, which a moment later usually succeed. Never on a 404, which is
     *   an answer (the model is not deployed), nor on another 4xx, which would be refused again the same way.
     * - Circuit breaker: once at least half of the last 10 attempts (retries included) failed, the registry is not
     *   asked for 5 s: lookups of deployments not cached fail at once, so callers get their 503 without waiting and a
     *   struggling registry gets no more load; then one trial lookup decides whether it is asked again. Deployments
     *   already cached are served all along.
     */
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @Retry(retryOn = {ProcessingException.class, ServerError.class}, maxRetries = 2, delay = 200, jitter = 100)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS,
            successThreshold = 1)
    @CircuitBreakerName(BREAKER)
    public Optional<DeployedModel> deployed(UUID tenantId, String model) {
        if (api == null) {
            throw new IllegalStateException("meridian.inference.tenant-models.registry-url is not set");
        }
        try {
            return Optional.of(api.deployed(tenantId, model));
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 404) {
                return Optional.empty();
            }
            if (status >= 500) {
                throw new ServerError(status, e);
            }
            throw new Deployments.RegistryUnavailable("the model registry answered " + status, e);
        }
    }
}
