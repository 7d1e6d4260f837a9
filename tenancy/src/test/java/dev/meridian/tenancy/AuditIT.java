package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.createKey;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.memberWithRole;
import static dev.meridian.tenancy.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.apikey.ApiKeySecret;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audit log: every change, newest first, for owners and admins; never a secret. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class AuditIT {

    @Test
    void ownersSeeEveryChangeNewestFirstWithWhoMadeIt() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Audited");
        var key = createKey(owner.accessToken(), tenant, "ci", "models");
        String rotatedId = as(owner.accessToken()).body(Map.of())
                .post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, key.path("id")).then().statusCode(201)
                .extract().path("id");
        as(owner.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, rotatedId).then()
                .statusCode(200);

        as(owner.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(200)
                .body("data.action", equalTo(List.of("api_key.revoked", "api_key.rotated", "api_key.created",
                        "tenant.created")))
                .body("data[0].target_type", equalTo("api_key"))
                .body("data[0].target_id", equalTo(rotatedId))
                .body("data[0].actor.id", equalTo(Api.subjectOf(owner.accessToken())))
                .body("data[0].actor.email", equalTo(owner.email()))
                .body("data[1].details.replaces", equalTo(key.path("id")))
                .body("data[3].target_id", equalTo(tenant))
                .body("has_more", equalTo(false));
    }

    @Test
    void theLogFiltersByActionFamilyAndByWhoMadeTheChange() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Filtered");
        createKey(owner.accessToken(), tenant, "one", "models");
        var admin = memberWithRole(owner.accessToken(), tenant, "admin");
        createKey(admin.accessToken(), tenant, "two", "models");

        as(owner.accessToken()).queryParam("action", "api_key.").get("/api/v1/tenants/{t}/audit-events", tenant)
                .then().statusCode(200)
                .body("data.action", equalTo(List.of("api_key.created", "api_key.created")));
        as(owner.accessToken()).queryParam("action", "api_key.created").queryParam("actor", admin.email().toUpperCase())
                .get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(200)
                .body("data.size()", equalTo(1))
                .body("data[0].actor.email", equalTo(admin.email()));
        as(owner.accessToken()).queryParam("action", "member.").queryParam("limit", "1")
                .get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(200)
                .body("data.size()", equalTo(1)).body("has_more", equalTo(true));
        as(owner.accessToken()).queryParam("action", "drop table").get("/api/v1/tenants/{t}/audit-events", tenant)
                .then().statusCode(400).body("detail", containsString("api_key."));
    }

    @Test
    void theLogNeverHoldsASecretOrAHash() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Secretive");
        var key = createKey(owner.accessToken(), tenant, "ci", "models");
        String rotated = as(owner.accessToken()).body(Map.of())
                .post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, key.path("id")).then().statusCode(201)
                .extract().path("key");

        String log = as(owner.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(200)
                .extract().asString();

        for (String secret : List.of(key.<String>path("key"), rotated)) {
            assertThat(log).doesNotContain(secret).doesNotContain(ApiKeySecret.hash(secret));
        }
        assertThat(log).contains(key.<String>path("prefix"));
    }

    @Test
    void pagesFollowNextBeforeWithoutGapsOrRepeats() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Paged");
        for (int i = 0; i < 4; i++) {
            createKey(owner.accessToken(), tenant, "k" + i, "models");
        }
        List<String> all = as(owner.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then()
                .extract().path("data.id");
        assertThat(all).hasSize(5);

        List<String> paged = new ArrayList<>();
        String before = null;
        int pages = 0;
        do {
            var spec = as(owner.accessToken()).queryParam("limit", 2);
            if (before != null) {
                spec.queryParam("before", before);
            }
            var page = spec.get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(200).extract();
            paged.addAll(page.path("data.id"));
            before = page.path("next_before");
            assertThat(page.<Boolean>path("has_more")).isEqualTo(before != null);
            pages++;
        } while (before != null);

        assertThat(pages).isEqualTo(3);
        assertThat(paged).isEqualTo(all);
    }

    @Test
    void aLimitOutOfRangeIs400() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Limits");

        as(owner.accessToken()).queryParam("limit", 1000).get("/api/v1/tenants/{t}/audit-events", tenant).then()
                .statusCode(400).body("errors[0].field", equalTo("limit"));
    }

    @Test
    void adminsMayReadTheLogButDevelopersGet403() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Readers");
        var admin = memberWithRole(owner.accessToken(), tenant, "admin");
        var developer = memberWithRole(owner.accessToken(), tenant, "developer");

        as(admin.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(200);
        as(developer.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("owner or admin"));
    }

    @jakarta.inject.Inject
    dev.meridian.tenancy.audit.service.AuditRetention retention;
    @jakarta.inject.Inject
    java.time.Clock clock;

    @Test
    void eventsOlderThanTheRetentionAreDeletedAndNewerOnesStay() throws Exception {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Old history");
        java.time.Instant now = clock.instant();
        java.util.UUID tooOld = java.util.UUID.randomUUID();
        java.util.UUID oldButKept = java.util.UUID.randomUUID();
        try (var c = Api.superuser(); var insert = c.prepareStatement("insert into audit_events (id, tenant_id, actor_id,"
                + " action, target_type, target_id, occurred_at) values (?, ?::uuid, 'someone', 'api_key.created',"
                + " 'api_key', 'k', ?)")) {
            for (var row : java.util.Map.of(tooOld, now.minus(java.time.Duration.ofDays(731)),
                    oldButKept, now.minus(java.time.Duration.ofDays(729))).entrySet()) {
                insert.setObject(1, row.getKey());
                insert.setString(2, tenant);
                insert.setObject(3, row.getValue().atOffset(java.time.ZoneOffset.UTC));
                insert.executeUpdate();
            }
        }

        assertThat(retention.purge(now)).isGreaterThanOrEqualTo(1);

        assertThat(Api.count("select count(*) from audit_events where id = ?", tooOld)).isZero();
        assertThat(Api.count("select count(*) from audit_events where id = ?", oldButKept)).isOne();
        assertThat(Api.count("select count(*) from audit_events where tenant_id = ?::uuid and action = 'tenant.created'",
                tenant)).isOne();
    }
}
