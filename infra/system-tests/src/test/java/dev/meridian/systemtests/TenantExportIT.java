package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.testing.OnnxModels;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * A tenant export end to end across two regions: a tenant homed in us-east, whose owner asks through eu-central's
 * gateway, gets one archive built and kept in us-east (its blob store) holding its files, models, fine-tuning jobs,
 * members, key metadata, audit trail, usage and invoices, and nothing of it lands in eu-central's blob store. The
 * request and the download are in the tenant's audit log.
 */
class TenantExportIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aUsEastTenantsExportAskedForThroughEuCentralIsBuiltAndKeptInUsEastWithAllItsData() throws Exception {
        String marker = "export-us-" + UUID.randomUUID().toString().substring(0, 8);
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Export " + marker, "us-east", "payg");
        var created = owner.createKey(tenant, "exported-key", List.of("inference", "models", "fine-tune"));
        String key = created.path("key");
        String prefix = created.path("prefix");
        Operator.setPlan(tenant, "payg", "us-east"); // opens the billing account: its invoices

        // content, used through the tenant's home gateway
        String home = SystemUnderTest.us();
        var lines = new ArrayList<String>();
        for (int i = 0; i < 6; i++) {
            lines.add("{\"text\":\"" + marker + " the striker scored goal " + i + "\",\"label\":\"sports\"}");
            lines.add("{\"text\":\"" + marker + " the chef baked loaf " + i + "\",\"label\":\"cooking\"}");
        }
        String dataset = String.join("\n", lines) + "\n";
        String file = withKey(key, home).multiPart("purpose", "fine-tune").multiPart("file", "data.jsonl",
                dataset.getBytes(StandardCharsets.UTF_8), "application/jsonl").post("/v1/files").then()
                .statusCode(200).extract().path("id");
        byte[] model = OnnxModels.addConstant(1f, 2f);
        withKey(key, home).multiPart("file", "m.onnx", model, "application/octet-stream")
                .multiPart("name", "exported").post("/v1/models").then().statusCode(201);
        withKey(key, home).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "input", "a text to embed")).post("/v1/embeddings").then()
                .statusCode(200);
        String job = withKey(key, home).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "training_file", file, "suffix", "exp", "seed", 7,
                        "method", Map.of("type", "supervised", "supervised", Map.of("hyperparameters",
                                Map.of("n_epochs", 1, "batch_size", 4)))))
                .post("/v1/fine_tuning/jobs").then().statusCode(200).extract().path("id");
        await("the fine-tune job succeeded").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> "succeeded".equals(withKey(key, home).get("/v1/fine_tuning/jobs/" + job).then()
                        .statusCode(200).extract().path("status")));
        await("billing has the tenant's usage").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> !owner.api().queryParam("tenant_id", tenant).get("/api/v1/billing/usage").then()
                        .statusCode(200).extract().<List<Object>>path("data").isEmpty());

        // the owner asks at eu-central's gateway, which forwards to us-east's
        String other = SystemUnderTest.eu();
        String exportId = owner(owner, other).post("/api/v1/tenants/{t}/exports", tenant).then().statusCode(202)
                .header("X-Meridian-Served-By", equalTo("us-east")).body("region", equalTo("us-east"))
                .extract().path("id");
        JsonNode done = await("the export finished").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> JSON.readTree(owner(owner, other).get("/api/v1/tenants/{t}/exports/{e}", tenant, exportId)
                        .then().statusCode(200).extract().asByteArray()), e -> !e.path("status").asText()
                        .matches("queued|running"));
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.path("progress").path("done").asInt()).isEqualTo(done.path("progress").path("total").asInt());

        byte[] zip = owner(owner, other).get(done.path("download_url").asText()).then().statusCode(200)
                .header("X-Meridian-Served-By", equalTo("us-east")).extract().asByteArray();
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zip)))
                .isEqualTo(done.path("archive").path("sha256").asText());
        Map<String, byte[]> entries = unzip(zip);
        JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
        assertThat(manifest.path("tenant_id").asText()).isEqualTo(tenant);
        assertThat(manifest.path("region").asText()).isEqualTo("us-east");
        assertThat(manifest.path("entries")).hasSize(entries.size() - 1);

        assertThat(text(entries, "files/content/" + file + ".jsonl")).isEqualTo(dataset);
        assertThat(entries.keySet().stream().filter(p -> p.startsWith("models/artifacts/")).map(entries::get))
                .as("the uploaded model's bytes").anySatisfy(bytes -> assertThat(bytes).isEqualTo(model));
        assertThat(text(entries, "models/models.jsonl")).contains("\"name\": \"exported\"")
                .contains("ft:all-minilm-l6-v2:exp:");
        assertThat(text(entries, "fine-tuning/jobs.jsonl")).contains(job);
        assertThat(text(entries, "fine-tuning/events.jsonl")).contains(job);
        assertThat(text(entries, "control-plane/members.jsonl")).contains(owner.email()).contains("\"owner\"");
        assertThat(text(entries, "control-plane/api-keys.jsonl")).contains(prefix).doesNotContain("hash")
                .doesNotContain(key);
        assertThat(text(entries, "control-plane/audit-events.jsonl")).contains("api_key.created")
                .contains("tenant_export.requested");
        assertThat(text(entries, "billing/usage-hourly.jsonl")).contains("embedded_items");
        assertThat(text(entries, "billing/invoices.jsonl")).contains("draft");

        // built and kept in us-east's blob store; nothing of it in eu-central's
        Path blobs = SystemUnderTest.platform().stateDir().resolve("blobs");
        assertThat(blobs.resolve("us-east/tenants/" + tenant + "/exports/" + exportId + "-1.zip")).exists();
        assertThat(blobs.resolve("eu-central/tenants/" + tenant)).doesNotExist();
        try (Stream<Path> files = Files.walk(blobs.resolve("eu-central"))) {
            assertThat(files.filter(Files::isRegularFile).filter(f -> f.toString().contains(exportId)
                    || contains(f, marker))).as("the export or its content in eu-central").isEmpty();
        }

        // asking for it and downloading it are in the tenant's audit log, as the owner
        owner.api().queryParam("action", "tenant_export.").get("/api/v1/tenants/{t}/audit-events", tenant).then()
                .statusCode(200).body("data.action", equalTo(List.of("tenant_export.downloaded",
                        "tenant_export.requested")))
                .body("data[0].actor.email", equalTo(owner.email()))
                .body("data[0].target_id", equalTo(exportId));
    }

    private static RequestSpecification withKey(String key, String gateway) {
        return given().baseUri(gateway).header("Authorization", "Bearer " + key);
    }

    private static RequestSpecification owner(ConsoleUser owner, String gateway) {
        return given().baseUri(gateway).auth().oauth2(owner.accessToken());
    }

    private static String text(Map<String, byte[]> entries, String path) {
        assertThat(entries).as("the archive's entries").containsKey(path);
        return new String(entries.get(path), StandardCharsets.UTF_8);
    }

    private static boolean contains(Path file, String marker) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(marker);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (var in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }
}
