package dev.meridian.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.UsageHeader;
import dev.meridian.common.models.BaseModel;
import dev.meridian.common.onnx.Tokens;
import dev.meridian.common.tenant.Caller;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.inference.batching.BatchStats;
import dev.meridian.inference.batching.InferenceBatcher;
import dev.meridian.inference.catalog.ModelHost;
import dev.meridian.inference.runtime.RunRefused;
import dev.meridian.inference.runtime.TenantRuns;
import dev.meridian.inference.tenant.Deployments;
import dev.meridian.inference.tenant.TenantModels;
import dev.meridian.inference.tenant.TensorCodec;
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
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Open Inference Protocol v2 (the REST protocol of Triton and KServe) for the models this region serves. A base
 * embedding model takes input {@code text} (BYTES, shape [n]) and answers output {@code embedding} (FP32, [n, d]).
 * Any other name is looked up among the caller tenant's deployed models (tenant from the gateway's
 * {@code X-Meridian-Tenant-Id}); another tenant's model is 404 exactly like a missing one.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Open Inference Protocol v2")
public class OipResource {

    static final String VERSION = "1";

    public record TensorMetadata(String name, String datatype, List<Long> shape) {
    }

    public record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
            List<TensorMetadata> outputs) {
    }

    public record OutputTensor(String name, String datatype, List<Long> shape, float[] data) {
    }

    public record InferResponse(String modelName, String modelVersion, String id, List<OutputTensor> outputs) {
    }

    public record TenantInferResponse(String modelName, String modelVersion, String id,
            List<TensorCodec.Output> outputs) {
    }

    @Inject
    ModelHost host;
    @Inject
    TenantModels tenantModels;
    @Context
    HttpHeaders headers;

    @GET
    @Path("/health/live")
    public Response live() {
        return Response.ok().build();
    }

    @GET
    @Path("/health/ready")
    public Response ready() {
        return host.ready() ? Response.ok().build() : Response.status(503).build();
    }

    @GET
    @Path("/models/{model}")
    @Operation(summary = "Model metadata: inputs and outputs with datatypes and shapes")
    public Uni<ModelMetadata> metadata(@PathParam("model") String model) {
        return tenantMetadata(model, Optional.empty());
    }

    @GET
    @Path("/models/{model}/versions/{version}")
    public Uni<ModelMetadata> metadata(@PathParam("model") String model, @PathParam("version") String version) {
        return tenantMetadata(model, Optional.of(version));
    }

    @GET
    @Path("/models/{model}/ready")
    public Uni<Response> modelReady(@PathParam("model") String model) {
        return tenantReady(model, Optional.empty());
    }

    @GET
    @Path("/models/{model}/versions/{version}/ready")
    public Uni<Response> modelReady(@PathParam("model") String model, @PathParam("version") String version) {
        return tenantReady(model, Optional.of(version));
    }

    private Uni<ModelMetadata> tenantMetadata(String model, Optional<String> version) {
        if (host.find(model).isPresent()) {
            version.ifPresent(v -> checkVersion(model, v));
            return Uni.createFrom().item(metadataOf(model(model)));
        }
        UUID tenant = tenant(model);
        return blocking(() -> {
            var r = tenantModels.resolve(tenant, model, version);
            return new ModelMetadata(model, r.model().versions().stream().map(v -> String.valueOf(v.version()))
                    .toList(), "onnxruntime_onnx",
                    r.version().inputs().stream().map(t -> new TensorMetadata(t.name(), t.datatype(), t.shape()))
                            .toList(),
                    r.version().outputs().stream().map(t -> new TensorMetadata(t.name(), t.datatype(), t.shape()))
                            .toList());
        });
    }

    private Uni<Response> tenantReady(String model, Optional<String> version) {
        if (host.find(model).isPresent()) {
            version.ifPresent(v -> checkVersion(model, v));
            return Uni.createFrom().item(Response.ok().build());
        }
        UUID tenant = tenant(model);
        return blocking(() -> {
            tenantModels.warm(tenantModels.resolve(tenant, model, version));
            return Response.ok().build();
        });
    }

    private Uni<RestResponse<TenantInferResponse>> tenantInfer(String model, Optional<String> version,
            JsonNode request) {
        UUID tenant = tenant(model);
        return blocking(() -> {
            var r = tenantModels.resolve(tenant, model, version);
            String id = request != null && request.hasNonNull("id") ? request.get("id").asText() : null;
            var inference = tenantModels.infer(r, request);
            // What the gateway meters (and strips): the call and the time the tenant's model ran for it.
            String metered = UsageHeader.format(Map.of(Meter.REQUESTS, 1L, Meter.MODEL_RUN_MILLISECONDS,
                    TenantRuns.meteredMillis(inference.runNanos())));
            return RestResponse.ResponseBuilder.ok(new TenantInferResponse(model, String.valueOf(
                    r.version().version()), id, inference.outputs())).header(MeridianHeaders.USAGE, metered)
                    .header(MeridianHeaders.MODEL, model).build();
        });
    }

    /** The caller's tenant, when tenant models are served here; else the model is simply not found. */
    private UUID tenant(String model) {
        if (!tenantModels.enabled()) {
            throw notFound(model);
        }
        return Caller.from(headers).orElseThrow(() -> notFound(model)).tenantId();
    }

    private interface Work<T> {
        T run() throws Exception;
    }

    /** Registry lookups, blob reads and ONNX Runtime calls block: they run on a worker thread. */
    private static <T> Uni<T> blocking(Work<T> work) {
        return Uni.createFrom().<T>emitter(e -> {
            try {
                e.complete(work.run());
            } catch (OipException | RunRefused x) {
                e.fail(x);
            } catch (Deployments.RegistryUnavailable x) {
                e.fail(new OipException(503, "tenant models cannot be looked up just now (" + x.getMessage()
                        + "); retry in a few seconds"));
            } catch (Exception x) {
                e.fail(x);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    @GET
    @Path("/models/{model}/config")
    @Operation(summary = "How the model is served: max_batch_size (0: not batched) and dynamic_batching, as Triton's"
            + " model configuration extension reports them")
    public Map<String, Object> config(@PathParam("model") String model) {
        InferenceBatcher.Limits limits;
        boolean batched;
        if (host.find(model).isPresent()) {
            limits = host.find(model).get().batcher().limits();
            batched = true;
        } else {
            var r = tenantModels.resolve(tenant(model), model, Optional.empty());
            limits = tenantModels.limits(r);
            batched = tenantModels.batched(r);
        }
        return Map.of("name", model, "platform", "onnxruntime_onnx",
                "max_batch_size", batched ? limits.maxBatchSize() : 0,
                "dynamic_batching", batched ? Map.of("max_queue_delay_microseconds",
                        limits.maxQueueDelay().toNanos() / 1000) : Map.of());
    }

    @GET
    @Path("/models/{model}/stats")
    @Operation(summary = "How requests were batched: model calls per batch size (a Triton-style statistics extension)")
    public Map<String, Object> stats(@PathParam("model") String model) {
        BatchStats.Snapshot s;
        if (host.find(model).isPresent()) {
            s = host.find(model).get().batcher().stats().snapshot();
        } else {
            var r = tenantModels.resolve(tenant(model), model, Optional.empty());
            s = tenantModels.batchStats(r).map(BatchStats::snapshot).orElseGet(() -> new BatchStats().snapshot());
        }
        return Map.of("model_name", model, "inference_count", s.inputs(), "request_count", s.requests(),
                "execution_count", s.executions(), "queue_ns", s.queueNanos(), "compute_ns", s.computeNanos(),
                "batch_stats", s.executionsByBatchSize().entrySet().stream()
                        .map(e -> Map.of("batch_size", e.getKey(), "execution_count", e.getValue())).toList());
    }

    @POST
    @Path("/models/{model}/infer")
    @Operation(summary = "Run the model on JSON tensors")
    public Uni<?> infer(@PathParam("model") String model, JsonNode request) {
        if (host.find(model).isEmpty()) {
            return tenantInfer(model, Optional.empty(), request);
        }
        return baseInfer(model, request);
    }

    private Uni<RestResponse<InferResponse>> baseInfer(String model, JsonNode request) {
        var loaded = host.find(model).orElseThrow(() -> notFound(model));
        BaseModel m = loaded.model();
        if (request == null || !request.path("inputs").isArray() || request.path("inputs").isEmpty()) {
            throw new OipException(400, "the request needs an `inputs` array; " + model + " takes input 'text'"
                    + " (BYTES, shape [n])");
        }
        JsonNode input = null;
        for (JsonNode i : request.get("inputs")) {
            if (!"text".equals(i.path("name").asText())) {
                throw new OipException(400, "unexpected input '" + i.path("name").asText() + "'; " + model
                        + " takes only input 'text'");
            }
            input = i;
        }
        if (!"BYTES".equals(input.path("datatype").asText())) {
            throw new OipException(400, "input 'text' has datatype " + input.path("datatype").asText()
                    + "; it must be BYTES");
        }
        JsonNode shape = input.path("shape");
        JsonNode data = input.path("data");
        if (!shape.isArray() || shape.size() != 1 || !data.isArray() || shape.get(0).asLong() != data.size()
                || data.isEmpty()) {
            throw new OipException(400, "input 'text' must have shape [n] with n = the number of strings in data"
                    + " (got shape " + shape + " and " + data.size() + " elements)");
        }
        List<Tokens> tokens = new ArrayList<>();
        long inputTokens = 0;
        for (JsonNode s : data) {
            if (!s.isTextual()) {
                throw new OipException(400, "input 'text' holds a non-string element: " + s);
            }
            Tokens t = loaded.embedder().tokenize(s.asText(), true);
            inputTokens += t.length();
            tokens.add(t);
        }
        String id = request.hasNonNull("id") ? request.get("id").asText() : null;
        String metered = UsageHeader.format(Map.of(Meter.REQUESTS, 1L, Meter.INPUT_TOKENS, inputTokens,
                Meter.EMBEDDED_ITEMS, (long) tokens.size()));
        return Uni.createFrom().completionStage(loaded.batcher().submit(tokens)).map(vectors -> {
            float[] flat = new float[vectors.size() * m.dimensions()];
            for (int i = 0; i < vectors.size(); i++) {
                System.arraycopy(vectors.get(i), 0, flat, i * m.dimensions(), m.dimensions());
            }
            var answer = new InferResponse(model, VERSION, id, List.of(new OutputTensor("embedding", "FP32",
                    List.of((long) vectors.size(), (long) m.dimensions()), flat)));
            // What the gateway meters (and strips): the call, the tokens the model read, the texts embedded.
            return RestResponse.ResponseBuilder.ok(answer).header(MeridianHeaders.USAGE, metered)
                    .header(MeridianHeaders.MODEL, model).build();
        });
    }

    @POST
    @Path("/models/{model}/versions/{version}/infer")
    public Uni<?> infer(@PathParam("model") String model, @PathParam("version") String version,
            JsonNode request) {
        if (host.find(model).isEmpty()) {
            return tenantInfer(model, Optional.of(version), request);
        }
        checkVersion(model, version);
        return baseInfer(model, request);
    }

    private BaseModel model(String id) {
        return host.find(id).orElseThrow(() -> notFound(id)).model();
    }

    private void checkVersion(String model, String version) {
        model(model);
        if (!VERSION.equals(version)) {
            throw new OipException(404, "model '" + model + "' has no version '" + version + "'; versions: [1]");
        }
    }

    static ModelMetadata metadataOf(BaseModel m) {
        return new ModelMetadata(m.id(), List.of(VERSION), "onnxruntime_onnx",
                List.of(new TensorMetadata("text", "BYTES", List.of(-1L))),
                List.of(new TensorMetadata("embedding", "FP32", List.of(-1L, (long) m.dimensions()))));
    }

    static OipException notFound(String model) {
        return new OipException(404, "model '" + model + "' is not found in this region");
    }
}
