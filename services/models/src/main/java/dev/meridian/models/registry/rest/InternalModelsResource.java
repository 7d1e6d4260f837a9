package dev.meridian.models.registry.rest;

import dev.meridian.common.error.ApiException;
import dev.meridian.common.models.GenerationSpec;
import dev.meridian.models.ModelVersion;
import dev.meridian.models.registry.service.ModelRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** What the region's inference services ask the registry (service token with realm role {@code service-inference} or {@code service-gateway}). */
@Path("/internal/v1/tenants/{tenant}/models/{model}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Internal")
@Blocking
public class InternalModelsResource {

    /**
     * A deployed version as inference loads it. {@code task} is {@code text-generation} and {@code generation} the
     * spec to run it with for generative versions; both are null for the tensor models of OIP v2 and embeddings.
     */
    public record DeployedVersion(int version, String sha256, long sizeBytes, String blobKey,
            List<ModelVersion.Tensor> inputs, List<ModelVersion.Tensor> outputs, Integer maxBatchSize,
            Integer maxQueueDelayUs, String task, GenerationSpec generation) {
    }

    public record Deployed(String tenantId, String model, List<DeployedVersion> versions) {
    }

    @Inject
    ModelRegistry registry;

    @GET
    @Path("/deployed")
    @Operation(summary = "The deployed versions of a tenant's model, with blob keys and hashes; 404 when none")
    public Deployed deployed(@PathParam("tenant") String tenant, @PathParam("model") String model) {
        UUID tenantId;
        try {
            tenantId = UUID.fromString(tenant);
        } catch (IllegalArgumentException e) {
            throw ModelRegistry.modelNotFound(model);
        }
        var found = registry.deployed(tenantId, model).orElseThrow(() -> ApiException.of(404,
                "model_not_deployed", "model", "Tenant " + tenant + " has no deployed version of '" + model + "'."));
        return new Deployed(tenant, model, found.versions().stream().map(v -> new DeployedVersion(v.version,
                v.sha256, v.sizeBytes, v.blobKey, v.inputs, v.outputs, v.maxBatchSize, v.maxQueueDelayMicros, v.task,
                v.generation)).toList());
    }
}
