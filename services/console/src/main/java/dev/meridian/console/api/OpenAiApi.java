package dev.meridian.console.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.oidc.token.propagation.common.AccessToken;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.client.api.ClientMultipartForm;

/**
 * The tenant API ({@code /v1} OpenAI-compatible, {@code /v2} Open Inference Protocol) through the gateway, with the
 * signed-in user's access token and the tenant named in {@code OpenAI-Organization}: the gateway lets a member do what
 * their role may put on a key, so a viewer's call is refused with the API's {@code insufficient_scope} words. Refusals
 * are OpenAI-shaped errors, read by {@code ApiProblem}.
 */
@RegisterRestClient(configKey = "meridian-openai")
@AccessToken
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface OpenAiApi {

    String ORGANIZATION = "OpenAI-Organization";

    /** A base model (owned by {@code meridian}, with dimensions) or one of the tenant's own (with versions). */
    record Model(String id, String ownedBy, String description, Integer dimensions, Integer maxTokens,
            List<String> languages, List<Integer> versions, List<Integer> deployedVersions) {

        public boolean base() {
            return "meridian".equals(ownedBy);
        }

        public String languageList() {
            return languages == null ? "" : String.join(", ", languages);
        }

        public int versionCount() {
            return versions == null ? 0 : versions.size();
        }

        public String deployedList() {
            return deployedVersions == null ? "" : String.join(", ", deployedVersions.stream().map(String::valueOf)
                    .toList());
        }
    }

    record Models(List<Model> data) {
    }

    record Tensor(String name, String datatype, List<Long> shape) {

        /** {@code x FP32 [-1, 3]} */
        public String describe() {
            return name + " " + datatype + " " + shape;
        }
    }

    record Version(String id, String model, int version, Instant created, String sha256, long bytes, int opset,
            String producer, List<Tensor> inputs, List<Tensor> outputs, boolean deployed, Instant deployedAt) {
    }

    record Versions(List<Version> data) {
    }

    record NewUpload(String filename, long bytes, String mimeType, String purpose) {
    }

    record Upload(String id, String status, Version modelVersion) {
    }

    record UploadPart(String id) {
    }

    record Completion(List<String> partIds, String name) {
    }

    record EmbeddingRequest(String model, List<String> input) {
    }

    record Embedding(int index, List<Double> embedding) {
    }

    record Embeddings(List<Embedding> data) {
    }

    record File(String id, long bytes, Instant createdAt, String filename, String purpose, String status) {
    }

    record Files(List<File> data, boolean hasMore, String lastId) {
    }

    record JobError(String code, String message, String param) {
    }

    record Job(String id, String model, Instant createdAt, Instant finishedAt, String fineTunedModel, String status,
            String trainingFile, String validationFile, Map<String, Object> hyperparameters, Long trainedTokens,
            JobError error, String userProvidedSuffix, Long seed, List<String> resultFiles) {

        public boolean terminal() {
            return "succeeded".equals(status) || "failed".equals(status) || "cancelled".equals(status);
        }

        /** {@code n_epochs 3, batch_size 32, learning_rate_multiplier 1.0} */
        public String hyperparameterList() {
            return figures(hyperparameters);
        }
    }

    record Jobs(List<Job> data, boolean hasMore) {
    }

    record JobEvent(String id, Instant createdAt, String level, String message, String type, JsonNode data) {
    }

    record JobEvents(List<JobEvent> data, boolean hasMore) {
    }

    record Checkpoint(String id, Instant createdAt, String fineTunedModelCheckpoint, int stepNumber,
            Map<String, Object> metrics) {

        public String metricList() {
            return figures(metrics);
        }
    }

    record Checkpoints(List<Checkpoint> data, boolean hasMore) {
    }

    record ClassificationRequest(String model, List<String> input) {
    }

    record Classification(int index, String label, Map<String, Double> scores) {

        /** The labels, the most likely first, each with its score to three decimals. */
        public List<Map.Entry<String, String>> ranked() {
            return scores == null ? List.of() : scores.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .map(e -> Map.entry(e.getKey(), String.format(java.util.Locale.ROOT, "%.3f", e.getValue())))
                    .toList();
        }
    }

    record Classifications(List<Classification> data) {
    }

    private static String figures(Map<String, Object> values) {
        if (values == null) {
            return "";
        }
        var text = new StringBuilder();
        values.forEach((k, v) -> text.append(text.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
        return text.toString();
    }

    @GET
    @Path("/v1/models")
    Models models(@HeaderParam(ORGANIZATION) UUID tenant);

    @GET
    @Path("/v1/models/{m}")
    Model model(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("m") String model);

    @GET
    @Path("/v1/models/{m}/versions")
    Versions versions(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("m") String model);

    @POST
    @Path("/v1/models")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    Version uploadModel(@HeaderParam(ORGANIZATION) UUID tenant, ClientMultipartForm form);

    @POST
    @Path("/v1/models/{m}/versions/{v}/deploy")
    Version deploy(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("m") String model, @PathParam("v") int version);

    @POST
    @Path("/v1/models/{m}/versions/{v}/undeploy")
    Version undeploy(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("m") String model,
            @PathParam("v") int version);

    @DELETE
    @Path("/v1/models/{m}/versions/{v}")
    void deleteVersion(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("m") String model,
            @PathParam("v") int version);

    @DELETE
    @Path("/v1/models/{m}")
    void deleteModel(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("m") String model);

    @POST
    @Path("/v1/uploads")
    Upload createUpload(@HeaderParam(ORGANIZATION) UUID tenant, NewUpload upload);

    @POST
    @Path("/v1/uploads/{u}/parts")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    UploadPart addPart(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("u") String upload,
            ClientMultipartForm part);

    @POST
    @Path("/v1/uploads/{u}/complete")
    Upload completeUpload(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("u") String upload,
            Completion completion);

    @POST
    @Path("/v1/embeddings")
    Embeddings embed(@HeaderParam(ORGANIZATION) UUID tenant, EmbeddingRequest request);

    /** OIP v2 inference: the request and the answer as the protocol writes them. */
    @POST
    @Path("/v2/models/{m}/infer")
    JsonNode infer(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("m") String model, JsonNode request);

    @POST
    @Path("/v1/files")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    File uploadFile(@HeaderParam(ORGANIZATION) UUID tenant, ClientMultipartForm form);

    @GET
    @Path("/v1/files")
    Files files(@HeaderParam(ORGANIZATION) UUID tenant, @QueryParam("purpose") String purpose,
            @QueryParam("limit") int limit, @QueryParam("after") String after);

    /** A file's bytes; the console reads only a job's evaluation report this way. */
    @GET
    @Path("/v1/files/{f}/content")
    @Produces({MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON})
    byte[] fileContent(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("f") String file);

    @GET
    @Path("/v1/fine_tuning/jobs")
    Jobs jobs(@HeaderParam(ORGANIZATION) UUID tenant, @QueryParam("limit") int limit,
            @QueryParam("after") String after);

    @POST
    @Path("/v1/fine_tuning/jobs")
    Job createJob(@HeaderParam(ORGANIZATION) UUID tenant, Map<String, Object> job);

    @GET
    @Path("/v1/fine_tuning/jobs/{j}")
    Job job(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("j") String job);

    @POST
    @Path("/v1/fine_tuning/jobs/{j}/cancel")
    Job cancelJob(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("j") String job);

    @GET
    @Path("/v1/fine_tuning/jobs/{j}/events")
    JobEvents events(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("j") String job,
            @QueryParam("limit") int limit, @QueryParam("after") String after);

    @GET
    @Path("/v1/fine_tuning/jobs/{j}/checkpoints")
    Checkpoints checkpoints(@HeaderParam(ORGANIZATION) UUID tenant, @PathParam("j") String job,
            @QueryParam("limit") int limit);

    @POST
    @Path("/v1/classifications")
    Classifications classify(@HeaderParam(ORGANIZATION) UUID tenant, ClassificationRequest request);
}
