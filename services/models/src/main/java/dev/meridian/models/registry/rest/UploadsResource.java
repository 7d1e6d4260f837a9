package dev.meridian.models.registry.rest;

import dev.meridian.common.error.ApiException;
import dev.meridian.common.tenant.Caller;
import dev.meridian.models.config.ModelsConfig;
import dev.meridian.models.registry.rest.Views.PartView;
import dev.meridian.models.registry.rest.Views.UploadView;
import dev.meridian.models.registry.rest.Views.VersionView;
import dev.meridian.models.registry.service.Uploads;
import io.smallrye.common.annotation.Blocking;
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
import java.io.IOException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** Resumable uploads of model files in parts, shaped like OpenAI's Uploads API ({@code purpose} = {@code model}). */
@Path("/v1/uploads")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Model registry")
@Blocking
public class UploadsResource {

    public record CreateUpload(String filename, Long bytes, String mimeType, String purpose) {
    }

    public record CompleteUpload(List<String> partIds, String name, String description, String md5) {
    }

    @Inject
    Uploads uploads;
    @Inject
    ModelsConfig config;
    @Context
    HttpHeaders headers;

    private Caller writer() {
        return ModelsResource.writer(headers, config.region());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start an upload of `bytes` bytes; parts follow")
    public Response create(CreateUpload request) {
        if (request == null) {
            throw ApiException.of(400, "invalid_json", null, "Send {\"filename\",\"bytes\",\"mime_type\","
                    + "\"purpose\":\"model\"}.");
        }
        var u = uploads.create(writer().tenantId(), request.filename(), request.bytes(), request.mimeType(),
                request.purpose());
        return Response.status(201).entity(UploadView.of(u, null)).build();
    }

    @GET
    @Path("/{upload}")
    public UploadView get(@PathParam("upload") String upload) {
        return UploadView.of(uploads.get(ModelsResource.reader(headers, config.region()).tenantId(), upload), null);
    }

    @POST
    @Path("/{upload}/parts")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Add a part (multipart field `data`)")
    public Response part(@PathParam("upload") String upload, @RestForm("data") FileUpload data) throws IOException {
        var caller = writer();
        if (data == null || data.uploadedFile() == null) {
            throw ApiException.of(400, "missing_parameter", "data", "Send the part's bytes as multipart field"
                    + " `data` (curl -F data=@part-1).");
        }
        var p = uploads.addPart(caller.tenantId(), upload, data.uploadedFile());
        return Response.status(201).entity(new PartView(p.id.toString(), "upload.part",
                p.createdAt.getEpochSecond(), upload, p.bytes)).build();
    }

    @POST
    @Path("/{upload}/complete")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Assemble the parts in `part_ids` order and register them as a version of model `name`")
    public UploadView complete(@PathParam("upload") String upload, CompleteUpload request)
            throws IOException, InterruptedException {
        if (request == null) {
            throw ApiException.of(400, "invalid_json", null, "Send {\"part_ids\":[...],\"name\":\"...\"}.");
        }
        var done = uploads.complete(writer().tenantId(), upload, request.partIds(), request.name(),
                request.description());
        return UploadView.of(done.upload(), VersionView.of(done.registered().model(), done.registered().version()));
    }

    @POST
    @Path("/{upload}/cancel")
    public UploadView cancel(@PathParam("upload") String upload) {
        return UploadView.of(uploads.cancel(writer().tenantId(), upload), null);
    }
}
