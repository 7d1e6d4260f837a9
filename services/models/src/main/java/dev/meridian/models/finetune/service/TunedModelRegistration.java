package dev.meridian.models.finetune.service;

import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.models.finetune.config.FineTuneConfig;
import dev.meridian.models.registry.rest.RegistryException;
import dev.meridian.models.registry.service.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Makes a succeeded job's exported model a deployed version of the tenant's model {@code ft:<base>:<suffix>:<job>}
 * in the model registry, which validates it like any upload (opset, declared inputs and outputs, a trial run) and
 * tells the region's inference services. Idempotent: the registry keys versions by content hash, so a repeated
 * success event finds the version it made the first time.
 */
@ApplicationScoped
public class TunedModelRegistration {

    /** The version made (or found), or why the registry refused the model. */
    public record Outcome(String model, Integer version, String refusal) {
    }

    @Inject
    ModelRegistry registry;
    @Inject
    FineTuneConfig config;
    @Inject
    BlobStore blobs;

    public Outcome register(UUID tenantId, String modelName, String baseModel, String jobId,
            FineTuneEvent.Result result) throws IOException, InterruptedException {
        String prefix = "tenants/" + tenantId + "/";
        if (result == null || result.blobKey() == null || !result.blobKey().startsWith(prefix)) {
            return new Outcome(modelName, null, "the worker reported no model in the tenant's store");
        }
        // The registry validates a local file (a trial run in a child JVM), so the exported model is copied out of the
        // region's store, which may be a bucket, into a temporary file first.
        Path file = Files.createTempFile("meridian-tuned-", ".onnx");
        try (InputStream in = blobs.open(result.blobKey())) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException | IllegalArgumentException e) {
            Files.deleteIfExists(file);
            return new Outcome(modelName, null, "the exported model " + result.blobKey() + " is not in the blob store");
        }
        try {
            var registered = registry.register(tenantId, modelName, "Fine-tuned from " + baseModel + " by " + jobId,
                    file, config.maxModelBytes());
            registry.setDeployed(tenantId, modelName, String.valueOf(registered.version().version), true);
            return new Outcome(modelName, registered.version().version, null);
        } catch (RegistryException refused) {
            return new Outcome(modelName, null, refused.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
