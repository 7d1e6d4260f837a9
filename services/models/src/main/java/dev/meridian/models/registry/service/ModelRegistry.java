package dev.meridian.models.registry.service;

import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.events.ModelChange;
import dev.meridian.common.models.GenerationSpec;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.models.ModelVersion;
import dev.meridian.models.TenantModel;
import dev.meridian.models.config.ModelsConfig;
import dev.meridian.models.registry.messaging.ModelChanges;
import dev.meridian.models.registry.validation.GenerativeValidator;
import dev.meridian.models.registry.validation.ModelPackage;
import dev.meridian.models.registry.validation.ModelValidator;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Tenant models and their versions. Registering validates first, then writes the blobs, then the rows in one
 * transaction; when the rows fail the blobs are removed again, so a refused or failed upload leaves nothing behind.
 * An upload is a bare ONNX file or, for generative models, a ZIP package (decoder, tokenizer.json, configs).
 * Every query names the tenant, and the transaction binds it for row-level security.
 */
@ApplicationScoped
public class ModelRegistry {

    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);
    // a tenant's own names, or the name a fine-tuning job gives its model: ft:<base>:<suffix>:<job-id>
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}"
            + "|ft:[a-z0-9][a-z0-9._-]{0,63}:[a-z0-9._-]{0,40}:ftjob-[a-z0-9]{1,40}");

    /** A version as registered: {@code created} is false when the same bytes were already a version of the model. */
    public record Registered(TenantModel model, ModelVersion version, boolean created) {
    }

    /** A model with its versions, for listings. */
    public record ModelWithVersions(TenantModel model, List<ModelVersion> versions) {
    }

    @Inject
    ModelsConfig config;
    @Inject
    ModelValidator validator;
    @Inject
    GenerativeValidator generative;
    @Inject
    BlobStore blobs;
    @Inject
    TenantSession scope;
    @Inject
    ModelChanges changes;

    public void checkName(String name) {
        if (name == null || name.isBlank()) {
            throw ApiException.of(400, "missing_parameter", "name", "You must provide `name`: the model's"
                    + " name, 1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit.");
        }
        if (!NAME.matcher(name).matches()) {
            throw ApiException.of(400, "invalid_name", "name", "`name` '" + name + "' is not a valid model"
                    + " name: use 1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit.");
        }
        if (config.registry().baseModels().contains(name)) {
            throw ApiException.of(409, "name_reserved", "name", "'" + name + "' is the name of a base model"
                    + " every tenant sees; choose another name for your model.");
        }
    }

    /** Validates {@code file} and registers it as a version of the tenant's model {@code name}. */
    public Registered register(UUID tenantId, String name, String description, Path file)
            throws IOException, InterruptedException {
        return register(tenantId, name, description, file, config.registry().maxModelBytes());
    }

    /**
     * As {@link #register(UUID, String, String, Path)} with a size cap of the caller's: fine-tuning registers models
     * the platform built from its own base models, which the cap on tenant uploads is not meant for.
     */
    public Registered register(UUID tenantId, String name, String description, Path file, long maxBytes)
            throws IOException, InterruptedException {
        checkName(name);
        if (description != null && description.length() > 1000) {
            throw ApiException.of(400, "invalid_value", "description", "`description` has "
                    + description.length() + " characters; at most 1000 are allowed.");
        }
        validator.checkSize(Files.size(file), maxBytes);
        String uploadSha = sha256(file);
        Optional<Registered> existing = QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            return TenantModel.findByName(tenantId, name).flatMap(m -> ModelVersion.byUpload(tenantId, m.id,
                    uploadSha).map(v -> new Registered(m, v, false)));
        });
        if (existing.isPresent()) {
            return existing.get();
        }
        if (ModelPackage.isZip(file)) {
            try (ModelPackage pkg = ModelPackage.unpack(file, maxBytes)) {
                GenerativeValidator.ValidPackage valid = generative.validate(pkg, maxBytes);
                UUID versionId = UUID.randomUUID();
                String tokenizerKey = "tenants/" + tenantId + "/versions/" + versionId + ".tokenizer.json";
                return store(tenantId, name, description, versionId, pkg.decoder(), uploadSha, valid.decoder(),
                        valid.spec(tokenizerKey), pkg.tokenizer());
            }
        }
        ModelValidator.Validated valid = validator.validate(file, maxBytes);
        return store(tenantId, name, description, UUID.randomUUID(), file, uploadSha, valid, null, null);
    }

    /**
     * Writes the artifact (and a generative version's tokenizer) to the blob store, then the rows; removes the blobs
     * again when the rows are not written, or when a concurrent upload of the same content won.
     */
    private Registered store(UUID tenantId, String name, String description, UUID versionId, Path onnx,
            String uploadSha, ModelValidator.Validated valid, GenerationSpec generation, Path tokenizer)
            throws IOException {
        String sha = sha256(onnx);
        String blobKey = "tenants/" + tenantId + "/versions/" + versionId + ".onnx";
        List<String> written = new ArrayList<>();
        try {
            blobs.put(blobKey, onnx);
            written.add(blobKey);
            if (generation != null) {
                blobs.put(generation.tokenizerBlobKey(), tokenizer);
                written.add(generation.tokenizerBlobKey());
            }
        } catch (IOException | RuntimeException e) {
            written.forEach(this::deleteBlob);
            throw e;
        }
        try {
            Registered registered = QuarkusTransaction.requiringNew().call(() -> {
                scope.bindTenant(tenantId);
                TenantModel model = TenantModel.findByName(tenantId, name).orElseGet(() -> {
                    var m = new TenantModel();
                    m.id = UUID.randomUUID();
                    m.tenantId = tenantId;
                    m.name = name;
                    m.description = description;
                    m.createdAt = now();
                    m.persistAndFlush();
                    return m;
                });
                var same = ModelVersion.byUpload(tenantId, model.id, uploadSha);
                if (same.isPresent()) {
                    return new Registered(model, same.get(), false);
                }
                var v = new ModelVersion();
                v.id = versionId;
                v.tenantId = tenantId;
                v.modelId = model.id;
                v.version = ModelVersion.of(tenantId, model.id).stream().mapToInt(x -> x.version).max().orElse(0) + 1;
                v.sha256 = sha;
                v.uploadSha256 = uploadSha;
                v.task = generation == null ? null : GenerationSpec.TASK;
                v.generation = generation;
                v.sizeBytes = Files.size(onnx);
                v.blobKey = blobKey;
                v.irVersion = valid.irVersion();
                v.opset = valid.opset();
                v.producer = valid.producer();
                v.inputs = valid.inputs();
                v.outputs = valid.outputs();
                v.createdAt = now();
                v.persistAndFlush();
                return new Registered(model, v, true);
            });
            if (!registered.created()) {
                written.forEach(this::deleteBlob);
            }
            return registered;
        } catch (PersistenceException e) {
            written.forEach(this::deleteBlob);
            throw ApiException.of(409, "concurrent_change", "name", "Another upload to model '" + name
                    + "' committed at the same moment; retry.");
        } catch (RuntimeException e) {
            written.forEach(this::deleteBlob);
            throw e;
        }
    }

    public List<ModelWithVersions> list(UUID tenantId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            List<TenantModel> models = TenantModel.list("tenantId = ?1 order by name", tenantId);
            return models.stream().map(m -> new ModelWithVersions(m, ModelVersion.of(tenantId, m.id))).toList();
        });
    }

    public Optional<ModelWithVersions> find(UUID tenantId, String name) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            return TenantModel.findByName(tenantId, name)
                    .map(m -> new ModelWithVersions(m, ModelVersion.of(tenantId, m.id)));
        });
    }

    public Registered version(UUID tenantId, String name, String version) {
        int number = versionNumber(name, version);
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            TenantModel m = TenantModel.findByName(tenantId, name).orElseThrow(() -> ModelRegistry.modelNotFound(name));
            ModelVersion v = ModelVersion.find(tenantId, m.id, number)
                    .orElseThrow(() -> versionNotFound(name, version));
            return new Registered(m, v, false);
        });
    }

    /** How a deployment batches; null fields keep what the version has (or the inference service's default). */
    public record Batching(Integer maxBatchSize, Integer maxQueueDelayMicros) {
        public static final Batching UNCHANGED = new Batching(null, null);
    }

    /** Deploys or undeploys one version and tells the region's inference services. Idempotent. */
    public Registered setDeployed(UUID tenantId, String name, String version, boolean deployed) {
        return setDeployed(tenantId, name, version, deployed, Batching.UNCHANGED);
    }

    /**
     * Deploys one version in the caller's transaction (one is started when there is none), so that the deployment
     * commits or rolls back with what the caller does: fine-tuning deploys a tuned model in the transaction that
     * marks its job succeeded, under the job's row lock.
     */
    public Registered deployJoining(UUID tenantId, String name, int version) {
        return QuarkusTransaction.joiningExisting().call(() -> deploy(tenantId, name, String.valueOf(version), true,
                Batching.UNCHANGED, version));
    }

    /** Deploys a version with batching settings; changed settings of a deployed version reach inference too. */
    public Registered setDeployed(UUID tenantId, String name, String version, boolean deployed, Batching batching) {
        int number = versionNumber(name, version);
        return QuarkusTransaction.requiringNew().call(() -> deploy(tenantId, name, version, deployed, batching,
                number));
    }

    private Registered deploy(UUID tenantId, String name, String version, boolean deployed, Batching batching,
            int number) {
        scope.bindTenant(tenantId);
        TenantModel m = TenantModel.findByName(tenantId, name).orElseThrow(() -> ModelRegistry.modelNotFound(name));
        ModelVersion v = ModelVersion.find(tenantId, m.id, number)
                .orElseThrow(() -> versionNotFound(name, version));
        boolean retuned = batching.maxBatchSize() != null && !batching.maxBatchSize().equals(v.maxBatchSize)
                || batching.maxQueueDelayMicros() != null
                        && !batching.maxQueueDelayMicros().equals(v.maxQueueDelayMicros);
        if (batching.maxBatchSize() != null) {
            v.maxBatchSize = batching.maxBatchSize();
        }
        if (batching.maxQueueDelayMicros() != null) {
            v.maxQueueDelayMicros = batching.maxQueueDelayMicros();
        }
        if (v.deployed != deployed || deployed && retuned) {
            v.deployedAt = !deployed ? null : v.deployed ? v.deployedAt : now();
            v.deployed = deployed;
            changes.record(deployed ? ModelChange.VERSION_DEPLOYED : ModelChange.VERSION_UNDEPLOYED, tenantId,
                    name, v.version);
        }
        return new Registered(m, v, false);
    }

    /** Deletes an undeployed version (409 while deployed), then its blob. */
    public void deleteVersion(UUID tenantId, String name, String version) {
        int number = versionNumber(name, version);
        List<String> blobKeys = QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            TenantModel m = TenantModel.findByName(tenantId, name).orElseThrow(() -> ModelRegistry.modelNotFound(name));
            ModelVersion v = ModelVersion.find(tenantId, m.id, number)
                    .orElseThrow(() -> versionNotFound(name, version));
            if (v.deployed) {
                throw ApiException.of(409, "version_deployed", "version", "Version " + v.version + " of '"
                        + name + "' is deployed; undeploy it first with POST /v1/models/" + name + "/versions/"
                        + v.version + "/undeploy.");
            }
            v.delete();
            changes.record(ModelChange.VERSION_DELETED, tenantId, name, v.version);
            return v.blobKeys();
        });
        blobKeys.forEach(this::deleteBlob);
    }

    /** Deletes a model with all its versions (409 while any is deployed), then their blobs. */
    public void deleteModel(UUID tenantId, String name) {
        List<String> keys = QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            TenantModel m = TenantModel.findByName(tenantId, name).orElseThrow(() -> ModelRegistry.modelNotFound(name));
            List<ModelVersion> versions = ModelVersion.of(tenantId, m.id);
            var deployed = versions.stream().filter(v -> v.deployed).map(v -> String.valueOf(v.version)).toList();
            if (!deployed.isEmpty()) {
                throw ApiException.of(409, "version_deployed", "model", "Model '" + name + "' has deployed"
                        + " versions (" + String.join(", ", deployed) + "); undeploy them before deleting the model.");
            }
            versions.forEach(ModelVersion::delete);
            m.delete();
            changes.record(ModelChange.MODEL_DELETED, tenantId, name, null);
            return versions.stream().flatMap(v -> v.blobKeys().stream()).toList();
        });
        keys.forEach(this::deleteBlob);
    }

    /** The deployed versions of a tenant's model, for the region's inference services. */
    public Optional<ModelWithVersions> deployed(UUID tenantId, String name) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            return TenantModel.findByName(tenantId, name).map(m -> new ModelWithVersions(m,
                    ModelVersion.of(tenantId, m.id).stream().filter(v -> v.deployed).toList()))
                    .filter(m -> !m.versions().isEmpty());
        });
    }

    private static int versionNumber(String name, String version) {
        try {
            int n = Integer.parseInt(version);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw versionNotFound(name, version);
    }

    static ApiException versionNotFound(String name, String version) {
        return ApiException.of(404, "version_not_found", "version", "Model '" + name + "' has no version '"
                + version + "'. GET /v1/models/" + name + "/versions lists its versions.");
    }

    void deleteBlob(String key) {
        try {
            blobs.delete(key);
        } catch (IOException e) {
            LOG.warnf("could not delete blob %s (%s); it is unreferenced and can be removed", key, e.getMessage());
        }
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 404 for a model the caller's tenant does not have, as for one of another tenant. */
    public static ApiException modelNotFound(String name) {
        return ApiException.of(404, "model_not_found", "model", "The model '" + name + "' does not exist or you do"
                + " not have access to it. GET /v1/models lists the models you can use.");
    }
}
