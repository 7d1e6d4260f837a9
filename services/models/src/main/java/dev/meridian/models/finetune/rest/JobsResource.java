package dev.meridian.models.finetune.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.pii.PiiMode;
import dev.meridian.common.tenant.Caller;
import dev.meridian.models.finetune.FineTuneCheckpoint;
import dev.meridian.models.finetune.FineTuneJob;
import dev.meridian.models.finetune.FineTuneJobEvent;
import dev.meridian.models.finetune.service.Hyperparameters;
import dev.meridian.models.finetune.service.JobRequest;
import dev.meridian.models.finetune.service.JobService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** OpenAI-compatible fine-tuning jobs: create, list, get, cancel, events, checkpoints. */
@Path("/v1/fine_tuning/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Fine-tuning")
public class JobsResource {

    private static final Set<String> FIELDS = Set.of("model", "training_file", "validation_file", "suffix", "seed",
            "method", "hyperparameters", "metadata", "integrations", "pii");

    public record ErrorView(String code, String message, String param) {
    }

    public record JobView(String id, String object, String model, long createdAt, Long finishedAt,
            String fineTunedModel, String organizationId, List<String> resultFiles, String status,
            String validationFile, String trainingFile, Map<String, Object> hyperparameters, Long trainedTokens,
            ErrorView error, String userProvidedSuffix, long seed, Long estimatedFinish, List<Object> integrations,
            Map<String, String> metadata, Map<String, Object> method,
            @JsonInclude(JsonInclude.Include.NON_NULL) PiiView pii) {
    }

    /**
     * Meridian's: how the job handles personal data in its examples, shown for jobs created with {@code "pii":
     * "redact"}. How many values of each kind the worker replaced is told in the job's events.
     */
    public record PiiView(String mode) {
    }

    public record EventView(String id, String object, long createdAt, String level, String message, Object data,
            String type) {
    }

    public record CheckpointView(String id, String object, long createdAt, String fineTunedModelCheckpoint,
            String fineTuningJobId, Object metrics, int stepNumber) {
    }

    public record Page<T>(String object, List<T> data, boolean hasMore) {
    }

    @Context
    HttpHeaders headers;
    @Inject
    JobService jobs;
    @Inject
    ObjectMapper json;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a fine-tuning job; its files are validated before it is queued")
    public JobView create(String body) {
        var tenantId = Caller.require(headers).tenantId();
        return view(jobs.create(tenantId, request(body)));
    }

    @GET
    @Operation(summary = "Your jobs, newest first (after, limit)")
    public Page<JobView> list(@QueryParam("after") String after,
            @QueryParam("limit") Integer limit) {
        int n = PageLimit.of(limit, 20);
        var page = jobs.list(Caller.require(headers).tenantId(), after, n + 1, null);
        return new Page<>("list", page.stream().limit(n).map(this::view).toList(), page.size() > n);
    }

    @GET
    @Path("/{id}")
    public JobView get(@PathParam("id") String id) {
        return view(jobs.get(Caller.require(headers).tenantId(), id));
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel a job that is validating, queued or running")
    public JobView cancel(@PathParam("id") String id) {
        return view(jobs.cancel(Caller.require(headers).tenantId(), id));
    }

    @GET
    @Path("/{id}/events")
    public Page<EventView> events(@PathParam("id") String id,
            @QueryParam("after") String after, @QueryParam("limit") Integer limit) {
        int n = PageLimit.of(limit, 20);
        var page = jobs.events(Caller.require(headers).tenantId(), id, after, n + 1);
        return new Page<>("list", page.stream().limit(n).map(this::view).toList(), page.size() > n);
    }

    @GET
    @Path("/{id}/checkpoints")
    public Page<CheckpointView> checkpoints(@PathParam("id") String id, @QueryParam("after") String after, @QueryParam("limit") Integer limit) {
        int n = PageLimit.of(limit, 10);
        var page = jobs.checkpoints(Caller.require(headers).tenantId(), id, after, n + 1);
        return new Page<>("list", page.stream().limit(n).map(this::view).toList(), page.size() > n);
    }

    /** Reads the body field by field, so each mistake is named with the field and how to fix it. */
    private JobRequest request(String body) {
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? null : json.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.of(400, "invalid_json", null, "The body is not valid JSON: "
                    + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiException.of(400, "invalid_request", null, "Send a JSON object with at least `model`"
                    + " and `training_file`.");
        }
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiException.of(400, "unknown_parameter", f, "Unrecognized request argument supplied: "
                        + f + ". The fields are " + String.join(", ", FIELDS.stream().sorted().toList()) + ".");
            }
        }
        String model = requiredString(root, "model");
        String training = requiredString(root, "training_file");
        String validation = optionalString(root, "validation_file");
        String suffix = optionalString(root, "suffix");
        if (suffix != null && !suffix.matches("[a-z0-9_.-]{1,40}")) {
            throw ApiException.of(400, "invalid_suffix", "suffix", "`suffix` must be 1 to 40 lower-case"
                    + " letters, digits, '-', '_' or '.' (it becomes part of the model name); got '" + suffix + "'.");
        }
        Long seed = null;
        JsonNode s = root.get("seed");
        if (s != null && !s.isNull()) {
            if (!s.canConvertToExactIntegral() || s.asLong() < 0 || s.asLong() > Integer.MAX_VALUE) {
                throw ApiException.of(400, "invalid_seed", "seed", "`seed` must be an integer from 0 to "
                        + Integer.MAX_VALUE + "; got " + s + ".");
            }
            seed = s.asLong();
        }
        Hyperparameters hp = Hyperparameters.parse(root.get("hyperparameters"), "hyperparameters");
        JsonNode method = root.get("method");
        if (method != null && !method.isNull()) {
            String type = method.path("type").asText("supervised");
            if (!"supervised".equals(type)) {
                throw ApiException.of(400, "unsupported_method", "method.type", "`method.type` '" + type
                        + "' is not available for the encoder base models; use \"supervised\".");
            }
            JsonNode hps = method.path("supervised").path("hyperparameters");
            if (!hps.isMissingNode()) {
                hp = Hyperparameters.parse(hps, "method.supervised.hyperparameters");
            }
        }
        JsonNode integrations = root.get("integrations");
        if (integrations != null && !integrations.isNull() && !(integrations.isArray() && integrations.isEmpty())) {
            throw ApiException.of(400, "unsupported_parameter", "integrations", "`integrations` are not"
                    + " supported; leave them out.");
        }
        Map<String, String> metadata = null;
        JsonNode md = root.get("metadata");
        if (md != null && !md.isNull()) {
            if (!md.isObject() || md.size() > 16) {
                throw ApiException.of(400, "invalid_metadata", "metadata", "`metadata` must be an object of"
                        + " at most 16 string values.");
            }
            try {
                metadata = json.convertValue(md, new TypeReference<LinkedHashMap<String, String>>() { });
            } catch (IllegalArgumentException e) {
                throw ApiException.of(400, "invalid_metadata", "metadata", "`metadata` values must be"
                        + " strings.");
            }
            for (var entry : metadata.entrySet()) {
                if (entry.getKey().length() > 64 || entry.getValue() == null || entry.getValue().length() > 512) {
                    throw ApiException.of(400, "invalid_metadata", "metadata." + entry.getKey(), "`metadata`"
                            + " keys are at most 64 characters and values strings of at most 512.");
                }
            }
        }
        String pii = optionalString(root, "pii");
        PiiMode piiMode = PiiMode.of(pii).orElseThrow(() -> ApiException.of(400, "invalid_value", "pii", "`pii` '"
                + pii + "' is not supported; send \"redact\" to have e-mail addresses, phone numbers, card numbers,"
                + " IBANs, resident ID numbers and IP addresses replaced in every example before training, or"
                + " \"none\" (the default) to train on the examples as uploaded."));
        return new JobRequest(model, training, validation, suffix, seed, hp, metadata, piiMode);
    }

    private static String requiredString(JsonNode root, String field) {
        String v = optionalString(root, field);
        if (v == null || v.isBlank()) {
            throw ApiException.of(400, "missing_required_parameter", field, "Missing required parameter: `"
                    + field + "`.");
        }
        return v;
    }

    private static String optionalString(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.of(400, "invalid_type", field, "`" + field + "` must be a string; got " + v
                    + ".");
        }
        return v.asText();
    }

    private JobView view(FineTuneJob j) {
        Map<String, Object> hp = new LinkedHashMap<>();
        Map<String, Object> requested = read(j.requestedHyperparameters, new TypeReference<>() { });
        hp.put("n_epochs", j.nEpochs != null ? j.nEpochs : requested.get("n_epochs"));
        hp.put("batch_size", j.batchSize != null ? j.batchSize : requested.get("batch_size"));
        hp.put("learning_rate_multiplier", j.learningRateMultiplier != null ? j.learningRateMultiplier
                : requested.get("learning_rate_multiplier"));
        Map<String, String> metadata = j.metadata == null ? null : read(j.metadata, new TypeReference<>() { });
        return new JobView(j.id, "fine_tuning.job", j.baseModel, j.createdAt.getEpochSecond(),
                j.finishedAt == null ? null : j.finishedAt.getEpochSecond(), j.fineTunedModel, j.tenantId.toString(),
                j.resultFiles == null ? List.of() : read(j.resultFiles, new TypeReference<List<String>>() { }),
                j.status, j.validationFile, j.trainingFile, hp, j.trainedTokens,
                j.errorCode == null ? null : new ErrorView(j.errorCode, j.errorMessage, j.errorParam), j.suffix,
                j.seed, null, List.of(), metadata,
                Map.of("type", "supervised", "supervised", Map.of("hyperparameters", hp)),
                j.pii == null ? null : new PiiView(j.pii));
    }

    private EventView view(FineTuneJobEvent e) {
        return new EventView("ftevent-" + e.id, "fine_tuning.job.event", e.createdAt.getEpochSecond(), e.level,
                e.message, e.data == null ? null : read(e.data, new TypeReference<Object>() { }), e.type);
    }

    private CheckpointView view(FineTuneCheckpoint c) {
        return new CheckpointView(c.id, "fine_tuning.job.checkpoint", c.createdAt.getEpochSecond(),
                c.fineTunedModelCheckpoint, c.jobId, read(c.metrics, new TypeReference<Object>() { }), c.stepNumber);
    }

    private <T> T read(String text, TypeReference<T> type) {
        try {
            return json.readValue(text, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
