package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.asGateway;
import static dev.meridian.tenancy.Api.createKey;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a tenant export reads of tenancy (members, API keys without hashes, the audit trail) and the export's own audit
 * events: only the regional models services' account may, for the tenant it names.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class InternalExportIT {

    private static RequestSpecification asModels() {
        return as(TestStack.get().serviceToken("meridian-models"));
    }

    private static Map<String, Object> event(String memberId, String action, String exportId) {
        return Map.of("member_id", memberId, "action", action, "export_id", exportId,
                "details", Map.of("region", "eu-central"));
    }

    @Test
    void onlyTheModelsServicesAccountMayReadATenantsRecordsOrRecordItsExports() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Exports only");
        String memberId = Api.memberIdOf(owner.accessToken(), tenant, owner.email());
        for (String other : List.of("meridian-gateway", "meridian-billing", "meridian-inference", "meridian-worker",
                "meridian-tenancy", "meridian-partner")) {
            String token = TestStack.get().serviceToken(other);
            for (String list : List.of("members", "api-keys", "audit-events")) {
                as(token).get("/internal/v1/tenants/{t}/export/" + list, tenant).then().statusCode(403)
                        .contentType("application/problem+json");
            }
            as(token).body(event(memberId, "tenant_export.requested", "export-x"))
                    .post("/internal/v1/tenants/{t}/export/audit-events", tenant).then().statusCode(403);
        }
        as(owner.accessToken()).get("/internal/v1/tenants/{t}/export/members", tenant).then().statusCode(403);
        io.restassured.RestAssured.given().get("/internal/v1/tenants/{t}/export/members", tenant).then()
                .statusCode(401);
    }

    @Test
    void aTenantsMembersKeysAndAuditTrailComeWithoutAnyKeysHash() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Exported");
        var key = createKey(owner.accessToken(), tenant, "ci", "models");
        as(owner.accessToken()).body(Map.of("email", "invitee-" + UUID.randomUUID() + "@example.com", "role",
                "viewer")).post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201);

        asModels().get("/internal/v1/tenants/{t}/export/members", tenant).then().statusCode(200)
                .body("data.size()", equalTo(2))
                .body("data.find { it.role == 'owner' }.email", equalTo(owner.email()))
                .body("data.find { it.role == 'viewer' }.status", equalTo("invited"));
        var keys = asModels().get("/internal/v1/tenants/{t}/export/api-keys", tenant).then().statusCode(200)
                .body("data.size()", equalTo(1))
                .body("data[0].prefix", equalTo(key.path("prefix")))
                .body("data[0].scopes", equalTo(List.of("models")))
                .extract().asString();
        assertThat(keys).doesNotContain("hash").doesNotContain(key.<String>path("key"));

        // the trail comes oldest first, a page at a time
        var first = asModels().queryParam("limit", 1).get("/internal/v1/tenants/{t}/export/audit-events", tenant)
                .then().statusCode(200).body("data.size()", equalTo(1)).extract();
        String next = first.path("next");
        assertThat(next).isNotNull();
        var rest = asModels().queryParam("after", next).get("/internal/v1/tenants/{t}/export/audit-events", tenant)
                .then().statusCode(200).extract();
        List<String> actions = new java.util.ArrayList<>(List.of(first.<String>path("data[0].action")));
        actions.addAll(rest.path("data.action"));
        assertThat(actions).contains("tenant.created", "api_key.created", "member.invited");
        assertThat(rest.<String>path("next")).isNull();

        // another tenant's records are not this one's
        String other = createTenant(newUser().accessToken(), "Other");
        asModels().get("/internal/v1/tenants/{t}/export/api-keys", other).then().statusCode(200)
                .body("data.size()", equalTo(0));
    }

    @Test
    void anExportsEventIsRecordedAsDoneByTheOwnerAndNothingElseMayBe() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Audited export");
        String memberId = Api.memberIdOf(owner.accessToken(), tenant, owner.email());

        asModels().body(event(memberId, "tenant_export.requested", "export-abc"))
                .post("/internal/v1/tenants/{t}/export/audit-events", tenant).then().statusCode(201)
                .body("actor_email", equalTo(owner.email()))
                .body("target_id", equalTo("export-abc"));
        as(owner.accessToken()).queryParam("action", "tenant_export.")
                .get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(200)
                .body("data[0].action", equalTo("tenant_export.requested"))
                .body("data[0].actor.email", equalTo(owner.email()))
                .body("data[0].target_id", equalTo("export-abc"));

        asModels().body(event(memberId, "api_key.created", "export-abc"))
                .post("/internal/v1/tenants/{t}/export/audit-events", tenant).then().statusCode(400)
                .body("detail", containsString("tenant_export.downloaded"));
        asModels().body(event(UUID.randomUUID().toString(), "tenant_export.downloaded", "export-abc"))
                .post("/internal/v1/tenants/{t}/export/audit-events", tenant).then().statusCode(404);
        // a member of another tenant is no member of this one
        String elsewhere = createTenant(owner.accessToken(), "Elsewhere");
        asModels().body(event(memberId, "tenant_export.downloaded", "export-abc"))
                .post("/internal/v1/tenants/{t}/export/audit-events", elsewhere).then().statusCode(404);
    }

    @Test
    void theMemberLookupOfTheGatewaysNamesTheRole() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Roles");
        asGateway().get("/internal/v1/tenants/{t}/members/by-user/{u}", tenant, Api.subjectOf(owner.accessToken()))
                .then().statusCode(200).body("role", equalTo("owner"));
        var admin = Api.memberWithRole(owner.accessToken(), tenant, "admin");
        asGateway().get("/internal/v1/tenants/{t}/members/by-user/{u}", tenant, Api.subjectOf(admin.accessToken()))
                .then().statusCode(200).body("role", equalTo("admin"));
    }
}
