package dev.meridian.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.UsageHeader;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.finetune.FineTuneModelName;
import dev.meridian.common.models.BaseModel;
import dev.meridian.common.onnx.Tokens;
import dev.meridian.common.tenant.Caller;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.inference.catalog.ModelHost;
import dev.meridian.inference.tenant.Deployments;
import dev.meridian.inference.tenant.TenantModels;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** OpenAI-compatible embeddings and model listing. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "OpenAI-compatible")
public class EmbeddingsResource {

    static final long CREATED = 1767225600L;
    static final int MAX_INPUTS = 2048;

    public record ModelView(String id, String object, long created, String ownedBy, int dimensions, int maxTokens,
            List<String> languages) {
        static ModelView of(BaseModel m) {
            return new ModelView(m.id(), "model", CREATED, "meridian", m.dimensions(), m.maxTokens(), m.languages());
        }
    }

    public record ModelList(String object, List<ModelView> data) {
    }

    public record Embedding(String object, int index, Object embedding) {
    }

    public record Usage(int promptTokens, int totalTokens) {
    }

    public record EmbeddingList(String object, List<Embedding> data, String model, Usage usage) {
    }

    @Context
    HttpHeaders headers;
    @Inject
    ModelHost host;
    @Inject
    TenantModels tenantModels;

    @GET
    @Path("/models")
    @Operation(summary = "The models this region serves")
    public ModelList models() {
        return new ModelList("list", host.models().stream().map(ModelView::of).toList());
    }

    @GET
    @Path("/models/{id}")
    public ModelView model(@PathParam("id") String id) {
        return host.find(id).map(l -> ModelView.of(l.model())).orElseThrow(() -> unknownModel(id));
    }

    @POST
    @Path("/embeddings")
    @Operation(summary = "Embed one text or a list of texts (OpenAI-compatible; extra field `truncate`)")
    public Uni<RestResponse<EmbeddingList>> embeddings(JsonNode request) {
        if (request == null || !request.isObject()) {
            throw ApiException.of(400, "invalid_request", null, "Send a JSON object with `model` and `input`.");
        }
        for (var it = request.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("model", "input", "encoding_format", "dimensions", "user", "truncate").contains(f)) {
                throw ApiException.of(400, "unknown_parameter", f, "Unrecognized request argument supplied: " + f
                        + ". Use model, input, encoding_format, dimensions, user, truncate.");
            }
        }
        String modelId = text(request, "model");
        if (modelId == null) {
            throw ApiException.of(400, "missing_parameter", "model", "You must provide a model parameter;"
                    + " GET /v1/models lists them.");
        }
        var found = host.find(modelId);
        if (found.isEmpty()) {
            return notAnEmbeddingModel(modelId);
        }
        var loaded = found.get();
        List<String> inputs = TextInputs.parse(request.get("input"), MAX_INPUTS);
        String format = request.hasNonNull("encoding_format") ? request.get("encoding_format").asText() : "float";
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.of(400, "invalid_value", "encoding_format", "encoding_format must be 'float' or"
                    + " 'base64', not '" + format + "'.");
        }
        if (request.hasNonNull("dimensions") && request.get("dimensions").asInt() != loaded.model().dimensions()) {
            throw ApiException.of(400, "invalid_value", "dimensions", modelId + " has "
                    + loaded.model().dimensions() + " dimensions and cannot shorten them; omit `dimensions`.");
        }
        boolean truncate = request.path("truncate").asBoolean(false);
        List<Tokens> tokens = new ArrayList<>(inputs.size());
        int promptTokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Tokens t = loaded.embedder().tokenize(inputs.get(i), truncate);
            if (t.length() > loaded.model().maxTokens()) {
                throw ApiException.of(400, "context_length_exceeded", "input", "input[" + i + "] has "
                        + t.length() + " tokens; " + modelId + " takes at most " + loaded.model().maxTokens()
                        + ". Shorten it, or send \"truncate\": true to cut it to the limit.");
            }
            promptTokens += t.length();
            tokens.add(t);
        }
        int usage = promptTokens;
        return Uni.createFrom().completionStage(loaded.batcher().submit(tokens)).map(vectors -> {
            List<Embedding> data = new ArrayList<>(vectors.size());
            for (int i = 0; i < vectors.size(); i++) {
                float[] v = vectors.get(i);
                data.add(new Embedding("embedding", i, format.equals("base64") ? base64(v) : v));
            }
            // What the gateway meters; the same token count as usage.prompt_tokens. The gateway strips it.
            String metered = UsageHeader.format(Map.of(Meter.INPUT_TOKENS, (long) usage,
                    Meter.EMBEDDED_ITEMS, (long) vectors.size()));
            return RestResponse.ResponseBuilder.ok(new EmbeddingList("list", data, modelId, new Usage(usage, usage)))
                    .header(MeridianHeaders.USAGE, metered).header(MeridianHeaders.MODEL, modelId).build();
        });
    }


    /**
     * Why a name that is no base model cannot embed: the caller's own tuned classifier or uploaded model is a 400
     * saying which route serves it; anything else is not found.
     */
    private <T> Uni<T> notAnEmbeddingModel(String modelId) {
        var caller = Caller.from(headers);
        if (caller.isEmpty() || !tenantModels.enabled()) {
            return Uni.createFrom().failure(unknownModel(modelId));
        }
        UUID tenant = caller.get().tenantId();
        return Uni.createFrom().<T>emitter(e -> {
            Optional<TenantModels.Resolved> deployed;
            try {
                deployed = tenantModels.find(tenant, modelId);
            } catch (Deployments.RegistryUnavailable x) {
                deployed = Optional.empty(); // cannot tell: not found, as without tenant models
            }
            if (deployed.isEmpty()) {
                e.fail(unknownModel(modelId));
            } else if (FineTuneModelName.parse(modelId).isPresent()) {
                e.fail(ApiException.of(400, "model_not_embedding", "model", "The model '" + modelId + "' is a"
                        + " fine-tuned classifier, not an embedding model: classify texts with POST"
                        + " /v1/classifications. GET /v1/models lists the embedding models."));
            } else {
                e.fail(ApiException.of(400, "model_not_embedding", "model", "The model '" + modelId + "' is one"
                        + " of your uploaded models, not an embedding model: run it with POST /v2/models/" + modelId
                        + "/infer. GET /v1/models lists the embedding models."));
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    static ApiException unknownModel(String id) {
        return ApiException.of(404, "model_not_found", "model", "The model '" + id + "' does not exist or you do"
                + " not have access to it. GET /v1/models lists the models you can use.");
    }

}
