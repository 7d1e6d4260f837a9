package dev.meridian.models;

import static io.restassured.RestAssured.given;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.testing.TestStack;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/** Calls the registry as the region's gateway does: a real service token of Keycloak and the caller headers. */
final class Registry {

    static final String REGION = "eu-central";
    static final Path BLOBS = Path.of("target/test-blobs/eu-central");
    private static String token;
    private static String inferenceToken;

    private Registry() {
    }

    static synchronized String serviceToken() {
        if (token == null) {
            token = TestStack.get().serviceToken("meridian-gateway");
        }
        return token;
    }

    /** The token of the region's inference service, the only caller of the registry's /internal API. */
    static synchronized String inferenceToken() {
        if (inferenceToken == null) {
            inferenceToken = TestStack.get().serviceToken("meridian-inference");
        }
        return inferenceToken;
    }

    /** A fresh tenant's caller with the models scope. */
    static RequestSpecification as(UUID tenant) {
        return as(tenant, "models,inference");
    }

    static RequestSpecification as(UUID tenant, String scopes) {
        return given().header("Authorization", "Bearer " + serviceToken())
                .header(MeridianHeaders.TENANT_ID, tenant.toString())
                .header(MeridianHeaders.KEY_ID, UUID.randomUUID().toString())
                .header(MeridianHeaders.SCOPES, scopes)
                .header(MeridianHeaders.REGION, REGION)
                .header(MeridianHeaders.HOME_REGION, REGION);
    }

    static RequestSpecification upload(UUID tenant, String name, byte[] model) {
        return as(tenant).multiPart("file", "model.onnx", model, "application/octet-stream").multiPart("name", name);
    }

    /** Files the blob store holds for a tenant (none after a refused upload). */
    static long blobsOf(UUID tenant) throws Exception {
        Path dir = BLOBS.resolve("tenants").resolve(tenant.toString());
        if (!Files.exists(dir)) {
            return 0;
        }
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    /** A connection as the owner role, for checks the API cannot make; RLS still needs app.tenant_id. */
    static Connection owner() throws SQLException {
        var stack = TestStack.get();
        return DriverManager.getConnection(stack.jdbcUrl("meridian_eu_central"), "meridian_owner",
                stack.secrets().get(dev.meridian.stack.Secrets.DB_OWNER_PASSWORD));
    }

    static long rows(UUID tenant, String table) throws SQLException {
        try (Connection c = owner()) {
            c.setAutoCommit(false);
            try (var s = c.prepareStatement("select set_config('app.tenant_id', ?, true)")) {
                s.setString(1, tenant.toString());
                s.execute();
            }
            try (var s = c.prepareStatement("select count(*) from " + table + " where tenant_id = ?")) {
                s.setObject(1, tenant);
                var r = s.executeQuery();
                r.next();
                return r.getLong(1);
            } finally {
                c.rollback();
            }
        }
    }

    /** Published rows of the region's outboxes whose event names the tenant (they carry no row-level security). */
    static long outboxRowsOf(UUID tenant) throws SQLException {
        try (Connection c = owner(); var s = c.prepareStatement("select (select count(*) from registry_outbox where"
                + " published_at is not null and payload->>'tenant_id' = ?) + (select count(*) from finetune_outbox"
                + " where published_at is not null and payload->>'tenant_id' = ?)")) {
            s.setString(1, tenant.toString());
            s.setString(2, tenant.toString());
            var r = s.executeQuery();
            r.next();
            return r.getLong(1);
        }
    }

    /**
     * Uploads {@code model} as a new tenant's model {@code m}: refused with {@code status} and {@code code} naming
     * {@code file}, a message containing {@code mentions}, and nothing left behind (no model, no version, no blob).
     */
    static void assertRefusedLeavingNothing(byte[] model, int status, String code, String mentions) throws Exception {
        UUID tenant = UUID.randomUUID();
        upload(tenant, "m", model).post("/v1/models").then().statusCode(status)
                .body("error.code", org.hamcrest.Matchers.equalTo(code))
                .body("error.param", org.hamcrest.Matchers.equalTo("file"))
                .body("error.message", org.hamcrest.Matchers.containsString(mentions));
        as(tenant).get("/v1/models/m").then().statusCode(404);
        org.assertj.core.api.Assertions.assertThat(rows(tenant, "tenant_models")).isZero();
        org.assertj.core.api.Assertions.assertThat(rows(tenant, "model_versions")).isZero();
        org.assertj.core.api.Assertions.assertThat(blobsOf(tenant)).isZero();
    }
}
