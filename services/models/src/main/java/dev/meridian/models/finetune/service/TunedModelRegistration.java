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
import org.jboss.logging.Logger;

/**
 * Makes a succeeded job's exported model a deployed version of the tenant's model {@code ft:<base>:<suffix>:<job>}
 * in the model registry, which validates it like any upload (opset, declared inputs and outputs, a trial run) and
 * tells the region's inference services. Idempotent: the registry keys versions by content hash, so a repeated
 * success event finds the version it made the first time.
 */
@ApplicationScoped
public class TunedModelRegistration {

    private static final Logger LOG = Logger.getLogger(TunedModelRegistration.class);

    /** The version made (or found) and the registry's copy of its file, or why the registry refused the model. */
    public record Outcome(String model, Integer version, String blobKey, String refusal) {

        static Outcome refused(String model, String why) {
            return new Outcome(model, null, null, why);
        }
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
            return Outcome.refused(modelName, "the worker reported no model in the tenant's store");
        }
        // The registry validates a local file (a trial run in a child JVM), so the exported model is copied out of the
        // region's store, which may be a bucket, into a temporary file first.
        Path file = Files.createTempFile("meridian-tuned-", ".onnx");
        try (InputStream in = blobs.open(result.blobKey())) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException | IllegalArgumentException e) {
            Files.deleteIfExists(file);
            return Outcome.refused(modelName, "the exported model " + result.blobKey() + " is not in the blob store");
        }
        try {
            var registered = registry.register(tenantId, modelName, "Fine-tuned from " + baseModel + " by " + jobId,
                    file, config.maxModelBytes());
            registry.setDeployed(tenantId, modelName, String.valueOf(registered.version().version), true);
            return new Outcome(modelName, registered.version().version, registered.version().blobKey, null);
        } catch (RegistryException refused) {
            return Outcome.refused(modelName, refused.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Deletes the worker's export of a job whose model the registry holds: the registry stored its own copy, which is
     * the one served and metered, so the export would only double the tenant's storage. Idempotent (a missing export
     * is fine), so a repeated success event may call it again. A failure leaves the export behind and is logged.
     */
    public void discardExport(UUID tenantId, String jobId, FineTuneEvent.Result result, String registeredBlobKey) {
        String key = result == null ? null : result.blobKey();
        if (key == null || !key.startsWith("tenants/" + tenantId + "/") || key.equals(registeredBlobKey)) {
            return;
        }
        try {
            blobs.delete(key);
        } catch (IOException e) {
            LOG.warnf("job %s: cannot delete the worker's export %s now that the registry holds the model (%s);"
                    + " it stays in the store", jobId, key, e.toString());
        }
    }
}
