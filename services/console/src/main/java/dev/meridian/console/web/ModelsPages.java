package dev.meridian.console.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.console.api.MeridianApi.Tenant;
import dev.meridian.console.api.OpenAiApi;
import dev.meridian.console.api.OpenAiApi.Model;
import dev.meridian.console.api.OpenAiApi.Version;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.client.api.ClientMultipartForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * Models of a tenant: the base catalog and its own, a model's versions with deploy, undeploy and delete, an ONNX
 * upload (the browser sends the file in parts through the resumable uploads API; without script, in one request), and
 * a try-it panel: embeddings for a base model, an OIP v2 inference for an own model. What the user may do is what
 * the gateway lets their role do: a refusal is shown in the API's words. (Rooted at "/" like every page resource.)
 */
@Path("/")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class ModelsPages extends PageSupport {

    /** A part of a resumable upload as the browser sends it: small enough for one request through the console. */
    static final int PART_BYTES = 8 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ObjectMapper json;

    /** What a try-it call answered: a summary line and the answer to show. */
    public record Answer(String summary, String body) {
    }

    @CheckedTemplate
    static class Templates {

        static native TemplateInstance models(Tenant tenant, List<Model> base, List<Model> own, int partBytes,
                String refusal, String error);

        static native TemplateInstance model(Tenant tenant, Model model, List<Version> versions, String sample,
                String input, Answer answer, String refusal, String error);
    }

    @GET
    @Path("tenants/{t}/models")
    public Response models(@PathParam("t") UUID tenant) {
        return guarded(() -> modelsPage(tenant, null), 200);
    }

    /** The upload without script: the whole file in one request. */
    @POST
    @Path("tenants/{t}/models")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response upload(@PathParam("t") UUID tenant, @RestForm("name") String name,
            @RestForm("file") FileUpload file) {
        try {
            var form = ClientMultipartForm.create().attribute("name", name == null ? "" : name, null);
            if (file != null) {
                form.binaryFileUpload("file", file.fileName(), file.uploadedFile().toString(),
                        MediaType.APPLICATION_OCTET_STREAM);
            }
            Version v = openai.uploadModel(tenant, form);
            return Response.seeOther(URI.create(modelUrl(tenant, v.model()))).build();
        } catch (WebApplicationException e) {
            return refusedPage(tenant, e);
        }
    }

    /** Starts a resumable upload of {@code bytes} bytes; answers its id (JSON) for the browser to send the parts. */
    @POST
    @Path("tenants/{t}/models/uploads")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Response createUpload(@PathParam("t") UUID tenant, @RestForm("filename") String filename,
            @RestForm("bytes") long bytes) {
        return json(() -> Map.of("id", openai.createUpload(tenant, new OpenAiApi.NewUpload(filename, bytes,
                MediaType.APPLICATION_OCTET_STREAM, "model")).id()));
    }

    @POST
    @Path("tenants/{t}/models/uploads/{u}/parts")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Response addPart(@PathParam("t") UUID tenant, @PathParam("u") String upload,
            @RestForm("data") FileUpload data) {
        if (data == null) {
            return Response.status(400).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity("{\"error\":\"No part was sent (form field `data`).\"}").build();
        }
        return json(() -> Map.of("id", openai.addPart(tenant, upload, ClientMultipartForm.create().binaryFileUpload("data",
                "part", data.uploadedFile().toString(), MediaType.APPLICATION_OCTET_STREAM)).id()));
    }

    /** Completes an upload: the registry validates the assembled file; a refusal comes back in the API's words. */
    @POST
    @Path("tenants/{t}/models/uploads/{u}/complete")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Response completeUpload(@PathParam("t") UUID tenant, @PathParam("u") String upload,
            @RestForm("part_ids") List<String> parts, @RestForm("name") String name) {
        return json(() -> {
            var done = openai.completeUpload(tenant, upload, new OpenAiApi.Completion(parts, name));
            return Map.of("location", modelUrl(tenant, done.modelVersion().model()));
        });
    }

    @GET
    @Path("tenants/{t}/models/{m}")
    public Response model(@PathParam("t") UUID tenant, @PathParam("m") String model) {
        return guarded(() -> modelPage(tenant, model, null, null, null), 200);
    }

    @POST
    @Path("tenants/{t}/models/{m}/versions/{v}/deploy")
    public Response deploy(@PathParam("t") UUID tenant, @PathParam("m") String model, @PathParam("v") int version) {
        return act(tenant, () -> {
            openai.deploy(tenant, model, version);
            return modelPage(tenant, model, null, null, null);
        }, error -> modelPage(tenant, model, null, null, error));
    }

    @POST
    @Path("tenants/{t}/models/{m}/versions/{v}/undeploy")
    public Response undeploy(@PathParam("t") UUID tenant, @PathParam("m") String model, @PathParam("v") int version) {
        return act(tenant, () -> {
            openai.undeploy(tenant, model, version);
            return modelPage(tenant, model, null, null, null);
        }, error -> modelPage(tenant, model, null, null, error));
    }

    @POST
    @Path("tenants/{t}/models/{m}/versions/{v}/delete")
    public Response deleteVersion(@PathParam("t") UUID tenant, @PathParam("m") String model,
            @PathParam("v") int version) {
        return act(tenant, () -> {
            openai.deleteVersion(tenant, model, version);
            return modelPage(tenant, model, null, null, null);
        }, error -> modelPage(tenant, model, null, null, error));
    }

    @POST
    @Path("tenants/{t}/models/{m}/delete")
    public Response deleteModel(@PathParam("t") UUID tenant, @PathParam("m") String model) {
        try {
            openai.deleteModel(tenant, model);
            return Response.seeOther(URI.create("/tenants/" + tenant + "/models")).build();
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() == 404 || e.getResponse().getStatus() >= 500) {
                throw e;
            }
            String error = ApiProblem.detail(e);
            return guarded(() -> modelPage(tenant, model, null, null, error), e.getResponse().getStatus());
        }
    }

    /** Try it: the text's embedding from a base model, shown as its dimensions and first values. */
    @POST
    @Path("tenants/{t}/models/{m}/embeddings")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response embed(@PathParam("t") UUID tenant, @PathParam("m") String model, @FormParam("input") String text) {
        return act(tenant, () -> {
            var vector = openai.embed(tenant, new OpenAiApi.EmbeddingRequest(model, List.of(text == null ? "" : text)))
                    .data().getFirst().embedding();
            var first = vector.stream().limit(8).map(x -> String.format(java.util.Locale.ROOT, "%.4f", x)).toList();
            return modelPage(tenant, model, text, new Answer(String.valueOf(vector.size()),
                    "[" + String.join(", ", first) + ", …]"), null);
        }, error -> modelPage(tenant, model, text, null, error));
    }

    /** Try it: an OIP v2 inference request as JSON, and the answer as the protocol writes it. */
    @POST
    @Path("tenants/{t}/models/{m}/infer")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response infer(@PathParam("t") UUID tenant, @PathParam("m") String model,
            @FormParam("request") String request) {
        JsonNode body;
        try {
            body = JSON.readTree(request == null ? "" : request);
        } catch (JsonProcessingException e) {
            String error = "The request is not JSON: " + e.getOriginalMessage();
            return guarded(() -> modelPage(tenant, model, request, null, error), 400);
        }
        return act(tenant, () -> {
            JsonNode answer = openai.infer(tenant, model, body);
            return modelPage(tenant, model, request, new Answer(answer.path("model_version").asText(""),
                    answer.toPrettyString()), null);
        }, error -> modelPage(tenant, model, request, null, error));
    }

    private TemplateInstance modelsPage(UUID tenant, String error) {
        Tenant t = api.tenant(tenant);
        var models = ifAllowed(() -> openai.models(tenant).data());
        List<Model> all = models.value() == null ? List.of() : models.value();
        return Templates.models(t, all.stream().filter(Model::base).toList(),
                all.stream().filter(m -> !m.base()).toList(), PART_BYTES, models.refusal(), error);
    }

    private TemplateInstance modelPage(UUID tenant, String model, String input, Answer answer, String error) {
        Tenant t = api.tenant(tenant);
        var found = ifAllowed(() -> openai.model(tenant, model));
        if (found.refusal() != null) {
            return Templates.model(t, new Model(model, null, null, null, null, null, null, null), List.of(), "",
                    input, null, found.refusal(), error);
        }
        Model m = found.value();
        List<Version> versions = m.base() ? List.of() : openai.versions(tenant, model).data();
        return Templates.model(t, m, versions, OipSample.of(versions), input, answer, null, error);
    }

    private Response refusedPage(UUID tenant, WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 404 || status >= 500) {
            throw e;
        }
        String error = ApiProblem.detail(e);
        return guarded(() -> modelsPage(tenant, error), status);
    }

    /** A JSON answer for the upload script: the value, or {@code {"error": the API's words}} with the API's status. */
    private Response json(Call call) {
        Object answer;
        int status = 200;
        try {
            answer = call.run();
        } catch (WebApplicationException e) {
            status = e.getResponse().getStatus();
            answer = Map.of("error", ApiProblem.detail(e));
        }
        try { // written here: the console has no JSON body writer, it serves pages
            return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(json.writeValueAsString(answer))
                    .build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    interface Call {
        Object run();
    }

    static String modelUrl(UUID tenant, String model) {
        return "/tenants/" + tenant + "/models/" + model;
    }
}
