package dev.meridian.models.finetune.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.tenant.Caller;
import dev.meridian.models.finetune.FineTuneFile;
import dev.meridian.models.finetune.service.FileService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** OpenAI-compatible files for fine-tuning: JSONL datasets, kept in the tenant's home region. */
@Path("/v1/files")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Files")
public class FilesResource {

    /** OpenAI's file object; {@code pii} (Meridian's) says whether personal data was redacted, and how much. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FileView(String id, String object, long bytes, long createdAt, String filename, String purpose,
            String status, @JsonInclude(JsonInclude.Include.ALWAYS) Object statusDetails,
            @JsonInclude(JsonInclude.Include.ALWAYS) Long expiresAt, Pii pii) {
        static FileView of(FineTuneFile f) {
            return new FileView(f.id, "file", f.bytes, f.createdAt.getEpochSecond(), f.filename, f.purpose,
                    "processed", null, null, f.pii == null ? null : new Pii(f.pii, f.piiRedactions));
        }
    }

    /** How the file's personal data was handled: {@code mode} redact, and the values replaced per kind. */
    public record Pii(String mode, Map<String, Integer> redacted) {
    }

    public record FileList(String object, List<FileView> data, boolean hasMore, String firstId, String lastId) {
    }

    public record Deleted(String id, String object, boolean deleted) {
    }

    @Context
    HttpHeaders headers;
    @Inject
    FileService files;

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload a JSONL dataset (multipart: file, purpose=fine-tune, optional pii=redact)")
    public FileView upload(@RestForm("file") FileUpload file,
            @RestForm("purpose") String purpose, @RestForm("pii") String pii) {
        var tenantId = Caller.require(headers).tenantId();
        if (file == null) {
            throw ApiException.of(400, "missing_required_parameter", "file", "Missing form field `file`;"
                    + " send the JSONL dataset as multipart/form-data field `file`.");
        }
        return FileView.of(files.upload(tenantId, file.fileName(), purpose, pii, file.uploadedFile()));
    }

    @GET
    @Operation(summary = "Your files, newest first")
    public FileList list(@QueryParam("purpose") String purpose,
            @QueryParam("limit") Integer limit, @QueryParam("after") String after) {
        int n = PageLimit.of(limit, 100);
        var page = files.list(Caller.require(headers).tenantId(), purpose, n + 1, after);
        var data = page.stream().limit(n).map(FileView::of).toList();
        return new FileList("list", data, page.size() > n, data.isEmpty() ? null : data.getFirst().id(),
                data.isEmpty() ? null : data.getLast().id());
    }

    @GET
    @Path("/{id}")
    public FileView get(@PathParam("id") String id) {
        return FileView.of(files.get(Caller.require(headers).tenantId(), id));
    }

    @GET
    @Path("/{id}/content")
    @Produces({MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON})
    @Operation(summary = "The file's bytes as uploaded")
    public Response content(@PathParam("id") String id) {
        FineTuneFile file = files.get(Caller.require(headers).tenantId(), id);
        StreamingOutput body = out -> {
            try (InputStream in = files.content(file)) {
                in.transferTo(out);
            }
        };
        return Response.ok(body, MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"" + file.filename.replace("\"", "") + "\"")
                .build();
    }

    @DELETE
    @Path("/{id}")
    public Deleted delete(@PathParam("id") String id) {
        files.delete(Caller.require(headers).tenantId(), id);
        return new Deleted(id, "file", true);
    }
}
