package dev.meridian.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.models.exports.service.DownloadLinks;
import dev.meridian.models.exports.service.ExportService;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.OnnxModels;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * Tenant data exports in the home region's models service, called as the gateway calls it for a signed-in member:
 * the job's lifecycle and progress, the archive and its manifest, the signed download link, expiry, who may export,
 * and that no tenant reaches another's export.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "meridian_eu_central"))
@QuarkusTestResource(StandInControlPlane.class)
class ExportsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ExportService exports;
    @Inject
    DownloadLinks links;
    @Inject
    BlobStore blobs;
    @Inject
    Clock clock;

    private static RequestSpecification member(UUID tenant, String role) {
        var call = Registry.as(tenant, "models,fine-tune,inference");
        return role == null ? call : call.header(MeridianHeaders.MEMBER_ROLE, role);
    }

    private static String exportsOf(UUID tenant) {
        return "/api/v1/tenants/" + tenant + "/exports";
    }

    private static JsonNode body(Response r) throws IOException {
        return JSON.readTree(r.asByteArray());
    }

    private JsonNode finished(UUID tenant, String id) throws IOException {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String status = member(tenant, "owner").get(exportsOf(tenant) + "/" + id).then().statusCode(200)
                    .extract().path("status");
            return !status.equals("queued") && !status.equals("running");
        });
        return body(member(tenant, "owner").get(exportsOf(tenant) + "/" + id));
    }

    private String requested(UUID tenant) throws IOException {
        Response r = member(tenant, "owner").post(exportsOf(tenant));
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
        JsonNode queued = body(r);
        assertThat(queued.path("status").asText()).isIn("queued", "running", "succeeded");
        assertThat(r.header("Location")).isEqualTo(exportsOf(tenant) + "/" + queued.path("id").asText());
        return queued.path("id").asText();
    }

    @Test
    void anOwnersExportHoldsTheTenantsFilesModelsAndJobsAndItsManifestDescribesEveryEntry() throws Exception {
        UUID tenant = UUID.randomUUID();
        String dataset = "{\"text\":\"hello\",\"label\":\"a\"}\n{\"text\":\"bye\",\"label\":\"b\"}\n";
        String fileId = member(tenant, null).multiPart("purpose", "fine-tune")
                .multiPart("file", "t.jsonl", dataset.getBytes(StandardCharsets.UTF_8), "application/jsonl")
                .post("/v1/files").then().statusCode(200).extract().path("id");
        byte[] model = OnnxModels.addConstant(1f, 2f, 3f);
        Registry.upload(tenant, "adder", model).post("/v1/models").then().statusCode(201);
        String job = job(tenant, fileId);

        String id = requested(tenant);
        JsonNode done = finished(tenant, id);

        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.path("region").asText()).isEqualTo("eu-central");
        int total = done.path("progress").path("total").asInt();
        // six tables, one file's content, one model artifact, five control-plane lists
        assertThat(total).isEqualTo(6 + 1 + 1 + 5);
        assertThat(done.path("progress").path("done").asInt()).isEqualTo(total);
        assertThat(done.path("expires_at").asText()).isNotEmpty();
        String url = done.path("download_url").asText();
        assertThat(url).startsWith(exportsOf(tenant) + "/" + id + "/archive?expires=").contains("&signature=");

        Response download = member(tenant, "owner").get(url);
        assertThat(download.statusCode()).as(download.asString()).isEqualTo(200);
        assertThat(download.contentType()).startsWith("application/zip");
        byte[] zip = download.asByteArray();
        assertThat(zip.length).isEqualTo(done.path("archive").path("bytes").asInt());
        assertThat(sha256(zip)).isEqualTo(done.path("archive").path("sha256").asText());

        Map<String, byte[]> entries = unzip(zip);
        JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
        assertThat(manifest.path("tenant_id").asText()).isEqualTo(tenant.toString());
        assertThat(manifest.path("export_id").asText()).isEqualTo(id);
        assertThat(manifest.path("region").asText()).isEqualTo("eu-central");
        assertThat(manifest.path("created_at").asText()).isNotEmpty();
        assertThat(manifest.path("entries")).hasSize(entries.size() - 1);
        for (JsonNode e : manifest.path("entries")) {
            byte[] content = entries.get(e.path("path").asText());
            assertThat(content).as(e.path("path").asText()).isNotNull();
            assertThat(e.path("bytes").asLong()).isEqualTo(content.length);
            assertThat(e.path("sha256").asText()).isEqualTo(sha256(content));
            if (e.path("path").asText().endsWith("s.jsonl")) {
                assertThat(e.path("count").asInt()).as(e.path("path").asText())
                        .isEqualTo(new String(content, StandardCharsets.UTF_8).lines().count());
            }
        }
        assertThat(new String(entries.get("files/content/" + fileId + ".jsonl"), StandardCharsets.UTF_8))
                .isEqualTo(dataset);
        String versionId = lines(entries, "models/versions.jsonl").getFirst().path("id").asText();
        assertThat(entries.get("models/artifacts/" + versionId + ".onnx")).isEqualTo(model);
        assertThat(lines(entries, "files/files.jsonl")).singleElement()
                .satisfies(f -> assertThat(f.path("id").asText()).isEqualTo(fileId));
        assertThat(lines(entries, "models/models.jsonl")).singleElement()
                .satisfies(m -> assertThat(m.path("name").asText()).isEqualTo("adder"));
        assertThat(lines(entries, "models/versions.jsonl")).singleElement()
                .satisfies(v -> assertThat(v.path("version").asInt()).isEqualTo(1));
        assertThat(lines(entries, "fine-tuning/jobs.jsonl")).singleElement()
                .satisfies(j -> assertThat(j.path("id").asText()).isEqualTo(job));
        assertThat(lines(entries, "fine-tuning/events.jsonl")).hasSize(2);
        assertThat(lines(entries, "fine-tuning/checkpoints.jsonl")).singleElement()
                .satisfies(c -> assertThat(c.path("step_number").asInt()).isEqualTo(4));

        assertThat(lines(entries, "control-plane/members.jsonl")).singleElement()
                .satisfies(m -> assertThat(m.path("role").asText()).isEqualTo("owner"));
        assertThat(lines(entries, "control-plane/api-keys.jsonl")).singleElement()
                .satisfies(k -> assertThat(k.path("prefix").asText()).isEqualTo("abcd1234"));
        assertThat(lines(entries, "control-plane/audit-events.jsonl")).singleElement()
                .satisfies(a -> assertThat(a.path("action").asText()).isEqualTo("tenant_export.requested"))
                .satisfies(a -> assertThat(a.path("export_id").asText()).isEqualTo(id));
        assertThat(lines(entries, "billing/usage-hourly.jsonl")).singleElement()
                .satisfies(u -> assertThat(u.path("quantity").asLong()).isEqualTo(3));
        assertThat(lines(entries, "billing/invoices.jsonl")).singleElement()
                .satisfies(i -> assertThat(i.path("status").asText()).isEqualTo("draft"));

        // requesting and downloading are both in the tenant's audit trail, as done by the owner's membership
        assertThat(StandInControlPlane.audited(tenant.toString())).extracting(e -> e.get("action"))
                .containsExactly("tenant_export.requested", "tenant_export.downloaded");
        assertThat(StandInControlPlane.audited(tenant.toString())).allSatisfy(e -> assertThat(e.get("export_id"))
                .isEqualTo(id));
        assertThat(member(tenant, "owner").get(exportsOf(tenant)).then().statusCode(200).extract()
                .<String>path("data[0].id")).isEqualTo(id);
    }

    @Test
    void aGenerativeVersionIsExportedWithItsTokenizerAndGenerationSpec() throws Exception {
        UUID tenant = UUID.randomUUID();
        var decoder = dev.meridian.testing.TinyDecoder.builder().build();
        Registry.upload(tenant, "tiny", decoder.packageZip()).post("/v1/models").then().statusCode(201);

        String id = requested(tenant);
        JsonNode done = finished(tenant, id);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        // six tables, the decoder and its tokenizer, five control-plane lists
        assertThat(done.path("progress").path("total").asInt()).isEqualTo(6 + 2 + 5);
        Map<String, byte[]> entries = unzip(member(tenant, "owner").get(done.path("download_url").asText()).then()
                .statusCode(200).extract().asByteArray());
        JsonNode version = lines(entries, "models/versions.jsonl").getFirst();
        String versionId = version.path("id").asText();
        assertThat(entries.get("models/artifacts/" + versionId + ".onnx")).isEqualTo(decoder.onnx());
        assertThat(new String(entries.get("models/artifacts/" + versionId + ".tokenizer.json"),
                StandardCharsets.UTF_8)).isEqualTo(dev.meridian.testing.TinyDecoder.tokenizerJson());
        assertThat(version.path("task").asText()).isEqualTo("text-generation");
        assertThat(version.path("generation").toString()).contains("256").contains("tokenizer");
    }

    @Test
    void aRequestTheAuditLogCannotRecordIsRefusedAndLeavesNoExport() throws Exception {
        UUID tenant = UUID.randomUUID();
        StandInControlPlane.refuseAudits(true);
        try {
            member(tenant, "owner").post(exportsOf(tenant)).then().statusCode(503).header("Retry-After", "1")
                    .contentType("application/problem+json")
                    .body("detail", org.hamcrest.Matchers.containsString("audit log"));
        } finally {
            StandInControlPlane.refuseAudits(false);
        }
        assertThat(member(tenant, "owner").get(exportsOf(tenant)).then().statusCode(200).extract()
                .<java.util.List<Object>>path("data")).isEmpty();
        // nothing of it is stored either (a runner that took it up meanwhile deletes what it stored once it sees it gone)
        await().atMost(Duration.ofSeconds(10)).until(() -> Registry.blobsOf(tenant) == 0);
    }

    @Test
    void onlyAnOwnerMayAskForSeeOrDownloadAnExport() throws Exception {
        UUID tenant = UUID.randomUUID();
        String id = requested(tenant);
        String url = finished(tenant, id).path("download_url").asText();

        for (String role : new String[] {"admin", "developer", "billing", "viewer"}) {
            member(tenant, role).post(exportsOf(tenant)).then().statusCode(403)
                    .contentType("application/problem+json");
            member(tenant, role).get(exportsOf(tenant)).then().statusCode(403);
            member(tenant, role).get(exportsOf(tenant) + "/" + id).then().statusCode(403);
            member(tenant, role).get(url).then().statusCode(403);
        }
        // an API key (no member role) may not either
        member(tenant, null).post(exportsOf(tenant)).then().statusCode(403);
        // nor may another service's account act as a gateway here (inference's, or this service's own)
        for (String other : new String[] {Registry.inferenceToken(),
                dev.meridian.testing.TestStack.get().serviceToken("meridian-models")}) {
            io.restassured.RestAssured.given().header("Authorization", "Bearer " + other)
                    .header(MeridianHeaders.TENANT_ID, tenant.toString())
                    .header(MeridianHeaders.KEY_ID, UUID.randomUUID().toString())
                    .header(MeridianHeaders.HOME_REGION, "eu-central")
                    .header(MeridianHeaders.MEMBER_ROLE, "owner").get(exportsOf(tenant)).then().statusCode(403);
        }
        // without a gateway's service token nobody reaches the API
        io.restassured.RestAssured.given().header(MeridianHeaders.TENANT_ID, tenant.toString())
                .header(MeridianHeaders.MEMBER_ROLE, "owner").get(exportsOf(tenant)).then().statusCode(401);
    }

    @Test
    void anotherTenantsExportIsNotFoundWhicheverWayItIsAskedFor() throws Exception {
        UUID owner = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        String id = requested(owner);
        String url = finished(owner, id).path("download_url").asText();

        // the other tenant's owner asking for it in their own tenant
        member(other, "owner").get(exportsOf(other) + "/" + id).then().statusCode(404);
        member(other, "owner").get(url.replace(owner.toString(), other.toString())).then().statusCode(404);
        // or naming the first tenant in the path
        member(other, "owner").get(exportsOf(owner) + "/" + id).then().statusCode(404);
        member(other, "owner").get(url).then().statusCode(404);
        member(other, "owner").get(exportsOf(owner)).then().statusCode(404);
        assertThat(member(other, "owner").get(exportsOf(other)).then().statusCode(200).extract()
                .<java.util.List<Object>>path("data")).isEmpty();
    }

    @Test
    void aLinkThatWasAlteredOrRanOutIsRefusedAndAnExpiredArchiveIsDeletedAndGone() throws Exception {
        UUID tenant = UUID.randomUUID();
        String id = requested(tenant);
        JsonNode done = finished(tenant, id);
        String url = done.path("download_url").asText();
        Instant expiresAt = Instant.parse(done.path("expires_at").asText());

        member(tenant, "owner").get(url.replaceAll("signature=[0-9a-f]", "signature=x")).then().statusCode(403);
        member(tenant, "owner").get(url.replaceAll("expires=\\d+", "expires=" + (expiresAt.getEpochSecond() + 60)))
                .then().statusCode(403);
        Instant past = clock.instant().minusSeconds(1);
        member(tenant, "owner").get(links.path(tenant, id, past)).then().statusCode(410)
                .body("detail", org.hamcrest.Matchers.containsString("expired"));

        String key = "tenants/" + tenant + "/exports/" + id + "-1.zip";
        assertThat(blobs.exists(key)).isTrue();
        // not yet due (other tests' exports, made earlier, may be: the sweep is for every tenant, so only this
        // export's archive tells)
        exports.expire(expiresAt.minusSeconds(1));
        assertThat(blobs.exists(key)).isTrue();
        assertThat(body(member(tenant, "owner").get(exportsOf(tenant) + "/" + id)).path("status").asText())
                .isEqualTo("succeeded");
        assertThat(exports.expire(expiresAt.plusSeconds(1))).isGreaterThanOrEqualTo(1);

        assertThat(blobs.exists(key)).isFalse();
        JsonNode expired = body(member(tenant, "owner").get(exportsOf(tenant) + "/" + id));
        assertThat(expired.path("status").asText()).isEqualTo("expired");
        assertThat(expired.path("download_url").isNull()).isTrue();
        member(tenant, "owner").get(url).then().statusCode(410).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("POST " + exportsOf(tenant)));
    }

    @Test
    void anExportWhoseReplicaDiedIsTakenOverAndOneThatKeepsFailingEnds() throws Exception {
        UUID tenant = UUID.randomUUID();
        Instant now = clock.instant();
        // a replica claimed it once and died: its lease ran out a minute ago
        String orphan = insert(tenant, "running", 1, now.minusSeconds(60));
        JsonNode done = finished(tenant, orphan);
        assertThat(done.path("status").asText()).isEqualTo("succeeded");
        assertThat(attempts(tenant, orphan)).isEqualTo(2);

        UUID unlucky = UUID.randomUUID();
        String spent = insert(unlucky, "running", 3, now.minusSeconds(60)); // max-attempts (3) tries, none finished
        JsonNode failed = finished(unlucky, spent);
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("error").asText()).contains("3 times").contains("ask for a new one");
    }

    @Test
    void aSecondRequestWhileOneIsUnderWayIsAConflict() throws Exception {
        UUID tenant = UUID.randomUUID();
        // another replica is building one now (its lease runs another hour)
        insert(tenant, "running", 1, clock.instant().plusSeconds(3600));
        member(tenant, "owner").post(exportsOf(tenant)).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("already has an export"));
    }

    /** A finished fine-tuning job of {@code tenant} with two events and a checkpoint, as the worker leaves it. */
    private static String job(UUID tenant, String fileId) throws Exception {
        String job = "ftjob-export" + Long.toString(System.nanoTime(), 36);
        sql(tenant, "insert into finetune_jobs (id, tenant_id, base_model, training_file, seed,"
                + " requested_hyperparameters, status, created_at) values ('" + job + "', '" + tenant + "',"
                + " 'all-minilm-l6-v2', '" + fileId + "', 1, '{}', 'succeeded', now())");
        for (String message : new String[] {"Job started", "Job succeeded"}) {
            sql(tenant, "insert into finetune_job_events (id, tenant_id, job_id, level, type, message, created_at)"
                    + " values (gen_random_uuid(), '" + tenant + "', '" + job + "', 'info', 'message', '" + message
                    + "', now())");
        }
        sql(tenant, "insert into finetune_checkpoints (id, tenant_id, job_id, step_number, metrics, blob_key,"
                + " fine_tuned_model_checkpoint, created_at) values ('ftckpt-" + job + "', '" + tenant + "', '" + job
                + "', 4, '{}', 'tenants/" + tenant + "/fine-tuning/" + job + "/checkpoints/step-4.bin',"
                + " 'ft:all-minilm-l6-v2:x:ckpt-step-4', now())");
        return job;
    }

    private static String insert(UUID tenant, String status, int attempts, Instant leaseUntil) throws Exception {
        String id = "export-it" + Long.toString(System.nanoTime(), 36);
        sql(tenant, "insert into tenant_exports (id, tenant_id, status, phase, created_by, attempts, lease_until,"
                + " created_at, started_at) values ('" + id + "', '" + tenant + "', '" + status + "', 'files', '"
                + UUID.randomUUID() + "', " + attempts + ", '" + leaseUntil + "', now(), now())");
        return id;
    }

    private static int attempts(UUID tenant, String id) throws Exception {
        try (Connection c = Registry.owner()) {
            c.setAutoCommit(false);
            bind(c, tenant);
            try (var s = c.prepareStatement("select attempts from tenant_exports where id = ?")) {
                s.setString(1, id);
                var r = s.executeQuery();
                r.next();
                return r.getInt(1);
            } finally {
                c.rollback();
            }
        }
    }

    private static void sql(UUID tenant, String statement) throws Exception {
        try (Connection c = Registry.owner()) {
            c.setAutoCommit(false);
            bind(c, tenant);
            c.createStatement().execute(statement);
            c.commit();
        }
    }

    private static void bind(Connection c, UUID tenant) throws Exception {
        try (var s = c.prepareStatement("select set_config('app.tenant_id', ?, true)")) {
            s.setString(1, tenant.toString());
            s.execute();
        }
    }

    private static java.util.List<JsonNode> lines(Map<String, byte[]> entries, String path) throws IOException {
        var out = new java.util.ArrayList<JsonNode>();
        for (String line : new String(entries.get(path), StandardCharsets.UTF_8).lines().toList()) {
            out.add(JSON.readTree(line));
        }
        return out;
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

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
