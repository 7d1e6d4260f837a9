package dev.meridian.inference.classification;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.UsageHeader;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.finetune.FineTuneModelName;
import dev.meridian.common.onnx.Tokens;
import dev.meridian.common.tenant.Caller;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.inference.catalog.ModelHost;
import dev.meridian.inference.rest.TextInputs;
import dev.meridian.inference.runtime.OrtRuntime;
import dev.meridian.inference.runtime.RunRefused;
import dev.meridian.inference.runtime.TenantRuns;
import dev.meridian.inference.tenant.Deployments;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Text classification with a tenant's fine-tuned model ({@code ft:<base>:<suffix>:<job-id>}), as deployed in the
 * region's model registry: an undeployed model is not found.
 */
@Path("/v1/classifications")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Classification")
public class ClassificationsResource {

    static final int MAX_INPUTS = 2048;

    public record Classification(String object, int index, String label, Map<String, Double> scores) {
    }

    public record Usage(int promptTokens, int totalTokens) {
    }

    public record ClassificationList(String object, List<Classification> data, String model, Usage usage) {
    }

    @Context
    HttpHeaders headers;
    @Inject
    ModelHost host;
    @Inject
    TunedModels tuned;
    @Inject
    OrtRuntime ort;

    @POST
    @Blocking
    @Operation(summary = "Classify one text or a list of texts with a fine-tuned model")
    public Response classify(JsonNode request) {
        if (request == null || !request.isObject()) {
            throw ApiException.of(400, "invalid_request", null, "Send a JSON object with `model` and `input`.");
        }
        for (var it = request.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("model", "input", "truncate", "user").contains(f)) {
                throw ApiException.of(400, "unknown_parameter", f, "Unrecognized request argument supplied: " + f
                        + ". Use model, input, truncate.");
            }
        }
        String modelId = request.hasNonNull("model") ? request.get("model").asText() : null;
        if (modelId == null) {
            throw ApiException.of(400, "missing_parameter", "model", "You must provide `model`: the"
                    + " fine_tuned_model of a succeeded fine-tuning job, ft:<base>:<suffix>:<job-id>.");
        }
        UUID tenant = Caller.require(headers).tenantId();
        FineTuneModelName name = FineTuneModelName.parse(modelId).orElseThrow(() -> notFound(modelId));
        var base = host.find(name.baseModel()).orElseThrow(() -> notFound(modelId));
        var model = tuned(tenant, name).orElseThrow(() -> notFound(modelId));
        List<String> inputs = inputs(request.get("input"));
        boolean truncate = request.path("truncate").asBoolean(false);
        List<Tokens> tokens = new ArrayList<>(inputs.size());
        int promptTokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Tokens t = base.embedder().tokenize(inputs.get(i), truncate);
            if (t.length() > base.model().maxTokens()) {
                throw ApiException.of(400, "context_length_exceeded", "input", "input[" + i + "] has "
                        + t.length() + " tokens; " + modelId + " takes at most " + base.model().maxTokens()
                        + ". Shorten it, or send \"truncate\": true to cut it to the limit.");
            }
            promptTokens += t.length();
            tokens.add(t);
        }
        TenantRuns.Timed<float[][]> timed = run(model, tokens);
        float[][] p = timed.value();
        List<Classification> data = new ArrayList<>(p.length);
        for (int i = 0; i < p.length; i++) {
            Map<String, Double> scores = new LinkedHashMap<>();
            int best = 0;
            for (int k = 0; k < p[i].length; k++) {
                scores.put(model.labels().get(k), (double) p[i][k]);
                if (p[i][k] > p[i][best]) {
                    best = k;
                }
            }
            data.add(new Classification("classification", i, model.labels().get(best), scores));
        }
        return Response.ok(new ClassificationList("list", data, modelId, new Usage(promptTokens, promptTokens)))
                .header(MeridianHeaders.USAGE, UsageHeader.format(Map.of(Meter.CLASSIFICATION_ITEMS, (long) p.length,
                        Meter.INPUT_TOKENS, (long) promptTokens, Meter.MODEL_RUN_MILLISECONDS,
                        TenantRuns.meteredMillis(timed.runNanos()))))
                .header(MeridianHeaders.MODEL, modelId).build();
    }

    private Optional<TunedModels.Tuned> tuned(UUID tenant, FineTuneModelName name) {
        try {
            return tuned.find(tenant, name);
        } catch (ApiException e) {
            throw e;
        } catch (Deployments.RegistryUnavailable e) {
            throw ApiException.of(503, "registry_unavailable", null, "Tuned models cannot be looked up just now ("
                    + e.getMessage() + "); retry in a few seconds.");
        } catch (Exception e) {
            throw new IllegalStateException("cannot open tuned model " + name + ": " + e.getMessage(), e);
        }
    }

    private TenantRuns.Timed<float[][]> run(TunedModels.Tuned model, List<Tokens> batch) {
        try (Tokens.Padded padded = Tokens.pad(ort.env(), batch, model.wantsTypeIds())) {
            return tuned.run(model, (session, options) -> {
                try (var result = session.run(padded.inputs(), options)) {
                    return (float[][]) result.get(0).getValue();
                }
            });
        } catch (RunRefused e) {
            throw e;
        } catch (OrtException e) {
            throw ApiException.of(400, "model_failed", "model", "The model '" + model.name() + "' could not run"
                    + " on these inputs: " + e.getMessage());
        } catch (Exception e) {
            throw new IllegalStateException("tuned model " + model.name() + " failed: " + e.getMessage(), e);
        }
    }

    private static List<String> inputs(JsonNode input) {
        List<String> out = TextInputs.parse(input, MAX_INPUTS);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).isBlank()) {
                throw ApiException.of(400, "invalid_value", "input", "input[" + i + "] is blank.");
            }
        }
        return out;
    }

    private static ApiException notFound(String id) {
        return ApiException.of(404, "model_not_found", "model", "The model '" + id + "' does not exist or you do"
                + " not have access to it. Classification takes the fine_tuned_model of one of your succeeded"
                + " fine-tuning jobs (GET /v1/fine_tuning/jobs).");
    }
}
