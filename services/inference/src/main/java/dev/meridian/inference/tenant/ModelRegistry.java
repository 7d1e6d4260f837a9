package dev.meridian.inference.tenant;

import dev.meridian.inference.config.InferenceConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import java.net.URI;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Asks the region's model registry which versions of a tenant model are deployed, and says what its answer means: a
 * 404 is "not deployed", any other status a {@link Deployments.RegistryUnavailable}. A call that gets no answer at all
 * throws the REST client's {@link jakarta.ws.rs.ProcessingException}.
 */
@ApplicationScoped
public class ModelRegistry {

    /** The registry answered with a server error (5xx). */
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
                        .connectTimeout(2, TimeUnit.SECONDS).readTimeout(5, TimeUnit.SECONDS)
                        .build(ModelRegistryApi.class))
                .orElse(null);
    }

    @PreDestroy
    void close() throws Exception {
        if (api instanceof AutoCloseable client) {
            client.close();
        }
    }

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
