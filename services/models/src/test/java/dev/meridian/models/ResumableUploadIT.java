package dev.meridian.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.testing.OnnxModels;
import io.quarkus.test.junit.QuarkusTest;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Uploads in parts: assembled in the order the client names, validated like any upload, cancelled, expired. */
@QuarkusTest
class ResumableUploadIT {

    private static String create(UUID tenant, long bytes) {
        return Registry.as(tenant).contentType("application/json")
                .body(Map.of("filename", "model.onnx", "bytes", bytes, "mime_type", "application/octet-stream",
                        "purpose", "model"))
                .post("/v1/uploads").then().statusCode(201)
                .body("object", equalTo("upload")).body("status", equalTo("pending")).extract().path("id");
    }

    private static String part(UUID tenant, String upload, byte[] data) {
        return Registry.as(tenant).multiPart("data", "part", data, "application/octet-stream")
                .post("/v1/uploads/" + upload + "/parts").then().statusCode(201)
                .body("object", equalTo("upload.part")).extract().path("id");
    }

    @Test
    void partsSentOutOfOrderAreAssembledInTheOrderNamed() throws Exception {
        UUID tenant = UUID.randomUUID();
        byte[] model = OnnxModels.addConstant(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f);
        int third = model.length / 3;
        byte[] a = Arrays.copyOfRange(model, 0, third);
        byte[] b = Arrays.copyOfRange(model, third, 2 * third);
        byte[] c = Arrays.copyOfRange(model, 2 * third, model.length);
        String upload = create(tenant, model.length);
        String pc = part(tenant, upload, c);
        String pa = part(tenant, upload, a);
        String pb = part(tenant, upload, b);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
        Registry.as(tenant).contentType("application/json").body(Map.of("part_ids", List.of(pa, pb, pc), "name", "big"))
                .post("/v1/uploads/" + upload + "/complete").then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("model_version.model", equalTo("big"))
                .body("model_version.sha256", equalTo(sha))
                .body("model_version.version", equalTo(1));
        assertThat(Registry.rows(tenant, "model_upload_parts")).isZero();
        assertThat(Registry.blobsOf(tenant)).isEqualTo(1); // the version only; the parts are gone
        Registry.as(tenant).multiPart("data", "p", new byte[] {1}).post("/v1/uploads/" + upload + "/parts").then()
                .statusCode(409).body("error.code", equalTo("upload_completed"));
    }

    @Test
    void completingWithMissingOrForeignPartsIsExplained() {
        UUID tenant = UUID.randomUUID();
        byte[] model = OnnxModels.addConstant(1f, 2f);
        String upload = create(tenant, model.length);
        String first = part(tenant, upload, Arrays.copyOfRange(model, 0, 10));
        Registry.as(tenant).contentType("application/json").body(Map.of("part_ids", List.of(first), "name", "m"))
                .post("/v1/uploads/" + upload + "/complete").then().statusCode(400)
                .body("error.code", equalTo("incomplete_upload"));
        Registry.as(tenant).contentType("application/json")
                .body(Map.of("part_ids", List.of(UUID.randomUUID().toString()), "name", "m"))
                .post("/v1/uploads/" + upload + "/complete").then().statusCode(400)
                .body("error.param", equalTo("part_ids"));
        Registry.as(tenant).multiPart("data", "p", new byte[model.length]).post("/v1/uploads/" + upload + "/parts")
                .then().statusCode(400).body("error.code", equalTo("too_many_bytes"));
        // another tenant cannot see or add to it
        Registry.as(UUID.randomUUID()).multiPart("data", "p", new byte[] {1}).post("/v1/uploads/" + upload + "/parts")
                .then().statusCode(404);
    }

    @Test
    void anInvalidModelAssembledFromPartsLeavesTheUploadPending() throws Exception {
        UUID tenant = UUID.randomUUID();
        byte[] bad = new OnnxModels.Builder().opset(99).addConstant(1f).bytes();
        String upload = create(tenant, bad.length);
        String p = part(tenant, upload, bad);
        Registry.as(tenant).contentType("application/json").body(Map.of("part_ids", List.of(p), "name", "m"))
                .post("/v1/uploads/" + upload + "/complete").then().statusCode(400).body("error.code", equalTo("opset"));
        assertThat(Registry.rows(tenant, "model_versions")).isZero();
        Registry.as(tenant).get("/v1/uploads/" + upload).then().statusCode(200).body("status", equalTo("pending"));
    }

    @Test
    void cancelDeletesTheParts() throws Exception {
        UUID tenant = UUID.randomUUID();
        String upload = create(tenant, 100);
        part(tenant, upload, new byte[40]);
        assertThat(Registry.blobsOf(tenant)).isEqualTo(1);
        Registry.as(tenant).post("/v1/uploads/" + upload + "/cancel").then().statusCode(200)
                .body("status", equalTo("cancelled"));
        assertThat(Registry.blobsOf(tenant)).isZero();
        assertThat(Registry.rows(tenant, "model_upload_parts")).isZero();
    }

    @Test
    void anAbandonedUploadExpiresWithItsParts() throws Exception {
        UUID tenant = UUID.randomUUID();
        String upload = create(tenant, 100);
        part(tenant, upload, new byte[40]);
        try (var c = Registry.owner()) {
            c.setAutoCommit(false);
            try (var s = c.prepareStatement("select set_config('app.tenant_id', ?, true)")) {
                s.setString(1, tenant.toString());
                s.execute();
            }
            try (var s = c.prepareStatement("update model_uploads set expires_at = ? where id = ?")) {
                s.setTimestamp(1, Timestamp.from(Instant.now().minusSeconds(5)));
                s.setObject(2, UUID.fromString(upload));
                assertThat(s.executeUpdate()).isEqualTo(1);
            }
            c.commit();
        }
        // The sweep runs every second in tests.
        String status = await("the sweep expires upload " + upload).atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200)).until(() -> Registry.as(tenant).get("/v1/uploads/" + upload)
                        .then().statusCode(200).extract().<String>path("status"), equalTo("expired"));
        assertThat(status).isEqualTo("expired");
        assertThat(Registry.blobsOf(tenant)).isZero();
    }

    @Test
    void anUploadLargerThanTheCapIsRefusedAtCreation() {
        Registry.as(UUID.randomUUID()).contentType("application/json")
                .body(Map.of("filename", "m.onnx", "bytes", 10_000_000, "mime_type", "x", "purpose", "model"))
                .post("/v1/uploads").then().statusCode(413).body("error.code", equalTo("size"));
        Registry.as(UUID.randomUUID()).contentType("application/json")
                .body(Map.of("filename", "m.onnx", "bytes", 10, "mime_type", "x", "purpose", "fine-tune"))
                .post("/v1/uploads").then().statusCode(400).body("error.param", equalTo("purpose"));
    }
}
