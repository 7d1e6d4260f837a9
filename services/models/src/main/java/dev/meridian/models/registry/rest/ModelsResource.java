package dev.meridian.models.registry.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.apikey.Scope;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.tenant.Caller;
import dev.meridian.models.config.ModelsConfig;
import dev.meridian.models.registry.rest.Views.Deleted;
import dev.meridian.models.registry.rest.Views.ListView;
import dev.meridian.models.registry.rest.Views.ModelView;
import dev.meridian.models.registry.rest.Views.VersionView;
import dev.meridian.models.registry.service.ModelRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * Tenant models: upload a version in one request, list, inspect, deploy, undeploy, delete. Listing shows the base
 * models and the caller's own, never another tenant's (which is 404 exactly like a missing one).
 */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Model registry")
@Blocking
public class ModelsResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ModelRegistry registry;
    @Inject
    ModelsConfig config;
    @Context
    HttpHeaders headers;

    private Caller caller() {
        return reader(headers, config.region());
    }

    /** The tenant a registry call is for; model artifacts are kept and served only in the tenant's home region. */
    static Caller reader(HttpHeaders headers, String region) {
        return Caller.require(headers).requireHomeRegion(region, "model registry");
    }

    /** As {@link #reader}, for a change: the key needs the {@code models} scope (the gateway checks it too). */
    static Caller writer(HttpHeaders headers, String region) {
        return reader(headers, region).requireScope(Scope.MODELS, "Changing models");
    }

    @GET
    @Operation(summary = "Base models and the caller's own models")
    public ListView<ModelView> list() {
        var caller = caller();
        List<ModelView> data = new ArrayList<>(config.registry().baseModels().stream().map(ModelView::base).toList());
        registry.list(caller.tenantId()).forEach(m -> data.add(ModelView.of(m.model(), m.versions())));
        return ListView.of(data);
    }

    @GET
    @Path("/{model}")
    public ModelView get(@PathParam("model") String model) {
        var caller = caller();
        if (config.registry().baseModels().contains(model)) {
            return ModelView.base(model);
        }
        return registry.find(caller.tenantId(), model).map(m -> ModelView.of(m.model(), m.versions()))
                .orElseThrow(() -> ModelRegistry.modelNotFound(model));
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload an ONNX file as a new version of the model `name` (created if new); 201 for a new"
            + " version, 200 when the same bytes already are one")
    public Response upload(@RestForm("file") FileUpload file, @RestForm("name") String name,
            @RestForm("description") String description) throws IOException, InterruptedException {
        var caller = writer(headers, config.region());
        if (file == null || file.uploadedFile() == null) {
            throw ApiException.of(400, "missing_parameter", "file", "Send the model as multipart form field"
                    + " `file` (curl -F file=@model.onnx -F name=my-model).");
        }
        var registered = registry.register(caller.tenantId(), name, description, file.uploadedFile());
        return Response.status(registered.created() ? 201 : 200)
                .entity(VersionView.of(registered.model(), registered.version())).build();
    }

    @GET
    @Path("/{model}/versions")
    public ListView<VersionView> versions(@PathParam("model") String model) {
        var caller = caller();
        var m = registry.find(caller.tenantId(), model).orElseThrow(() -> ModelRegistry.modelNotFound(model));
        return ListView.of(m.versions().stream().map(v -> VersionView.of(m.model(), v)).toList());
    }

    @GET
    @Path("/{model}/versions/{version}")
    public VersionView version(@PathParam("model") String model, @PathParam("version") String version) {
        var r = registry.version(caller().tenantId(), model, version);
        return VersionView.of(r.model(), r.version());
    }

    @POST
    @Path("/{model}/versions/{version}/deploy")
    @Operation(summary = "Serve this version in the region (OIP v2 /v2/models/{model}[/versions/{v}])")
    public VersionView deploy(@PathParam("model") String model, @PathParam("version") String version, String body) {
        var caller = writer(headers, config.region());
        var r = registry.setDeployed(caller.tenantId(), model, version, true, batching(body));
        return VersionView.of(r.model(), r.version());
    }

    /**
     * The optional body of a deploy: {@code {"dynamic_batching": {"max_batch_size": 1..256, "max_queue_delay_ms":
     * 0..100}}}. Omitted fields keep the version's settings (at first, the inference service's defaults).
     */
    static ModelRegistry.Batching batching(String body) {
        if (body == null || body.isBlank()) {
            return ModelRegistry.Batching.UNCHANGED;
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw ApiException.of(400, "invalid_json", null, "The deploy body is not valid JSON; send"
                    + " {\"dynamic_batching\": {\"max_batch_size\": 16, \"max_queue_delay_ms\": 5}} or no body.");
        }
        if (!root.isObject()) {
            throw ApiException.of(400, "invalid_type", null, "The deploy body must be a JSON object.");
        }
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("dynamic_batching")) {
                throw ApiException.of(400, "unknown_parameter", f, "Unrecognized deploy argument: " + f
                        + ". The deploy body takes only dynamic_batching.");
            }
        }
        JsonNode b = root.path("dynamic_batching");
        if (b.isMissingNode() || b.isNull()) {
            return ModelRegistry.Batching.UNCHANGED;
        }
        if (!b.isObject()) {
            throw ApiException.of(400, "invalid_type", "dynamic_batching", "dynamic_batching must be an object"
                    + " with max_batch_size and/or max_queue_delay_ms.");
        }
        Integer size = null;
        Integer delayMicros = null;
        for (var it = b.fields(); it.hasNext(); ) {
            var f = it.next();
            JsonNode v = f.getValue();
            switch (f.getKey()) {
                case "max_batch_size" -> {
                    if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > 256) {
                        throw ApiException.of(400, "invalid_value", "dynamic_batching.max_batch_size",
                                "max_batch_size must be an integer from 1 (no batching) to 256, not " + v + ".");
                    }
                    size = v.asInt();
                }
                case "max_queue_delay_ms" -> {
                    if (!v.isNumber() || v.asDouble() < 0 || v.asDouble() > 100) {
                        throw ApiException.of(400, "invalid_value", "dynamic_batching.max_queue_delay_ms",
                                "max_queue_delay_ms must be a number of milliseconds from 0 to 100, not " + v + ".");
                    }
                    delayMicros = (int) Math.round(v.asDouble() * 1000);
                }
                default -> throw ApiException.of(400, "unknown_parameter", "dynamic_batching." + f.getKey(),
                        "Unrecognized dynamic_batching setting: " + f.getKey()
                                + ". Use max_batch_size and max_queue_delay_ms.");
            }
        }
        return new ModelRegistry.Batching(size, delayMicros);
    }

    @POST
    @Path("/{model}/versions/{version}/undeploy")
    @Operation(summary = "Stop serving this version; inference stops within about a second")
    public VersionView undeploy(@PathParam("model") String model, @PathParam("version") String version) {
        var r = registry.setDeployed(writer(headers, config.region()).tenantId(), model, version, false);
        return VersionView.of(r.model(), r.version());
    }

    @DELETE
    @Path("/{model}/versions/{version}")
    @Operation(summary = "Delete an undeployed version and its artifact (409 while deployed)")
    public Deleted deleteVersion(@PathParam("model") String model, @PathParam("version") String version) {
        registry.deleteVersion(writer(headers, config.region()).tenantId(), model, version);
        return new Deleted(model + ":" + version, "model.version", true);
    }

    @DELETE
    @Path("/{model}")
    @Operation(summary = "Delete a model and all its versions (409 while any version is deployed)")
    public Deleted deleteModel(@PathParam("model") String model) {
        var caller = writer(headers, config.region());
        if (config.registry().baseModels().contains(model)) {
            throw ApiException.of(403, "base_model", "model", "'" + model + "' is a base model; it cannot be"
                    + " deleted.");
        }
        registry.deleteModel(caller.tenantId(), model);
        return new Deleted(model, "model", true);
    }
}
