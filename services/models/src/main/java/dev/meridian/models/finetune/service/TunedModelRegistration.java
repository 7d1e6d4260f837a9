package dev.meridian.models.finetune.service;

import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.models.finetune.config.FineTuneConfig;
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
 * Makes a succeeded job's exported model a version of the tenant's model {@code ft:<base>:<suffix>:<job>} in the model
 * registry, which validates it like any upload (opset, declared inputs and outputs, a trial run), and deploys it in
 * the caller's transaction (the one that marks the job succeeded under its row lock, so a cancel that won leaves no
 * model and one that comes later finds the job ended). Idempotent: the registry keys versions by content hash, so a
 * repeated success event finds the version it made the first time. The exported model is read only from the key the
 * job's tenant and id give ({@link FineTuneBlobs#model}), whatever the event names.
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

    /** Registers the exported model as an undeployed version (or finds the version it already is). */
    public Outcome register(UUID tenantId, String modelName, String baseModel, String jobId,
            FineTuneEvent.Result result) throws IOException, InterruptedException {
        String expected = FineTuneBlobs.model(tenantId, jobId);
        if (result == null || !expected.equals(result.blobKey())) {
            return Outcome.refused(modelName, "the worker reported no model at the job's own key " + expected);
        }
        // The registry validates a local file (a trial run in a child JVM), so the exported model is copied out of the
        // region's store, which may be a bucket, into a temporary file first.
        Path file = Files.createTempFile("meridian-tuned-", ".onnx");
        try (InputStream in = blobs.open(expected)) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException | IllegalArgumentException e) {
            Files.deleteIfExists(file);
            return Outcome.refused(modelName, "the exported model " + expected + " is not in the blob store");
        }
        try {
            var registered = registry.register(tenantId, modelName, "Fine-tuned from " + baseModel + " by " + jobId,
                    file, config.maxModelBytes());
            return new Outcome(modelName, registered.version().version, registered.version().blobKey, null);
        } catch (ApiException refused) {
            return Outcome.refused(modelName, refused.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Deploys a registered version in the caller's transaction: it commits with the job's success or not at all. */
    public void deploy(UUID tenantId, Outcome registered) {
        registry.deployJoining(tenantId, registered.model(), registered.version());
    }

    /**
     * Deletes the worker's export of a job whose model the registry holds: the registry stored its own copy, which is
     * the one served and metered, so the export would only double the tenant's storage. Idempotent (a missing export
     * is fine), so a repeated success event may call it again. A failure leaves the export behind and is logged.
     */
    public void discardExport(UUID tenantId, String jobId, FineTuneEvent.Result result, String registeredBlobKey) {
        String key = FineTuneBlobs.model(tenantId, jobId);
        if (result == null || !key.equals(result.blobKey()) || key.equals(registeredBlobKey)) {
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
