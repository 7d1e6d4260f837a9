package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.asGateway;
import static dev.meridian.tenancy.Api.count;
import static dev.meridian.tenancy.Api.createKey;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.memberWithRole;
import static dev.meridian.tenancy.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.meridian.common.events.TenancyChange;
import dev.meridian.tenancy.tenants.service.TenantClosure;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Closing a tenant: only its owner, only by typing its name; keys revoked at once; cancellable in the grace period;
 * afterwards the control plane keeps nothing personal of it, and every region hears {@code tenant.erased}.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class TenantClosureIT {

    @Inject
    TenantClosure closure;

    private ChangeConsumer changes;

    @BeforeEach
    void listenFromNow() {
        changes = ChangeConsumer.fromEnd();
    }

    @AfterEach
    void close() {
        changes.close();
    }

    @Test
    void onlyTheOwnerTypingTheNameClosesTheTenantAndNothingChangesOtherwise() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Acme Widgets");
        var admin = memberWithRole(owner.accessToken(), tenant, "admin");
        var key = createKey(owner.accessToken(), tenant, "prod", "inference");

        as(admin.accessToken()).body(Map.of("confirm", "Acme Widgets"))
                .post("/api/v1/tenants/{t}/closure", tenant).then().statusCode(403)
                .body("detail", containsString("owner"));
        as(newUser().accessToken()).body(Map.of("confirm", "Acme Widgets"))
                .post("/api/v1/tenants/{t}/closure", tenant).then().statusCode(404);
        as(owner.accessToken()).body(Map.of("confirm", "acme widgets"))
                .post("/api/v1/tenants/{t}/closure", tenant).then().statusCode(400)
                .body("detail", containsString("exact name"));
        as(owner.accessToken()).body(Map.of()).post("/api/v1/tenants/{t}/closure", tenant).then().statusCode(400);

        as(owner.accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(200)
                .body("status", equalTo("active"));
        asGateway().get("/internal/v1/api-keys/{p}", key.path("prefix").toString()).then().statusCode(200)
                .body("revoked_at", equalTo(null));
        assertThat(count("select count(*) from audit_events where tenant_id = ?::uuid and action = 'tenant.closed'",
                tenant)).isZero();
    }

    @Test
    void closingRevokesEveryKeyAtOnceAndCancellingRestoresTheTenantButNotItsKeys() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Closing Co");
        var first = createKey(owner.accessToken(), tenant, "one", "inference");
        var second = createKey(owner.accessToken(), tenant, "two", "models");
        changes.await(tenant, 3, Duration.ofSeconds(15));

        Instant before = Instant.now();
        as(owner.accessToken()).body(Map.of("confirm", "Closing Co"))
                .post("/api/v1/tenants/{t}/closure", tenant).then().statusCode(200)
                .body("status", equalTo("closing")).body("closed_at", notNullValue())
                .body("erase_after", notNullValue());
        Instant eraseAfter = Instant.parse(as(owner.accessToken()).get("/api/v1/tenants/{t}", tenant).then()
                .extract().path("erase_after"));
        assertThat(Duration.between(before, eraseAfter)).isBetween(Duration.ofDays(30).minusMinutes(1),
                Duration.ofDays(30).plusMinutes(1));
        for (var key : List.of(first, second)) {
            asGateway().get("/internal/v1/api-keys/{p}", key.path("prefix").toString()).then().statusCode(200)
                    .body("revoked_at", notNullValue()).body("tenant_status", equalTo("closing"));
        }
        List<TenancyChange> events = changes.await(tenant, 3, Duration.ofSeconds(15));
        assertThat(events).extracting(TenancyChange::type).containsExactlyInAnyOrder(TenancyChange.API_KEY_REVOKED,
                TenancyChange.API_KEY_REVOKED, TenancyChange.TENANT_CLOSED);

        as(owner.accessToken()).body(Map.of("name", "k", "scopes", List.of("inference")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(409)
                .body("detail", containsString("closing, so it gets no new API keys"));
        as(owner.accessToken()).body(Map.of("confirm", "Closing Co"))
                .post("/api/v1/tenants/{t}/closure", tenant).then().statusCode(409)
                .body("detail", containsString("already closing"));

        as(owner.accessToken()).delete("/api/v1/tenants/{t}/closure", tenant).then().statusCode(200)
                .body("status", equalTo("active")).body("erase_after", equalTo(null));
        assertThat(changes.await(tenant, 1, Duration.ofSeconds(15))).extracting(TenancyChange::type)
                .containsExactly(TenancyChange.TENANT_REOPENED);
        asGateway().get("/internal/v1/api-keys/{p}", first.path("prefix").toString()).then().statusCode(200)
                .body("revoked_at", notNullValue()).body("tenant_status", equalTo("active"));
        as(owner.accessToken()).delete("/api/v1/tenants/{t}/closure", tenant).then().statusCode(409)
                .body("detail", containsString("not closing"));
        createKey(owner.accessToken(), tenant, "after", "inference");
        assertThat(count("select count(*) from audit_events where tenant_id = ?::uuid and action in"
                + " ('tenant.closed', 'tenant.closure_cancelled')", tenant)).isEqualTo(2);
    }

    @Test
    void afterTheGracePeriodNothingPersonalOfTheTenantRemainsAndEveryRegionIsTold() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Erase Me GmbH");
        var developer = memberWithRole(owner.accessToken(), tenant, "developer");
        createKey(owner.accessToken(), tenant, "prod", "inference");
        var bystander = newUser();
        String other = createTenant(bystander.accessToken(), "Bystander");
        createKey(bystander.accessToken(), other, "theirs", "inference");
        changes.await(tenant, 4, Duration.ofSeconds(15));

        as(owner.accessToken()).body(Map.of("confirm", "Erase Me GmbH"))
                .post("/api/v1/tenants/{t}/closure", tenant).then().statusCode(200);
        Instant eraseAfter = Instant.parse(as(owner.accessToken()).get("/api/v1/tenants/{t}", tenant).then()
                .extract().path("erase_after"));
        UUID id = UUID.fromString(tenant);

        closure.eraseDue(eraseAfter.minusSeconds(1));
        as(owner.accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(200)
                .body("status", equalTo("closing"));

        closure.eraseDue(eraseAfter.plusSeconds(1));
        as(owner.accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(404);
        as(owner.accessToken()).delete("/api/v1/tenants/{t}/closure", tenant).then().statusCode(404);
        for (String table : List.of("members", "api_keys", "partner_grants")) {
            assertThat(count("select count(*) from " + table + " where tenant_id = ?", id)).as(table).isZero();
        }
        assertThat(count("select count(*) from audit_events where tenant_id = ? and action <> 'tenant.erased'", id))
                .isZero();
        assertThat(count("select count(*) from tenants where id = ? and status = 'erased' and name not like"
                + " '%Erase Me%' and created_by = 'erased' and erased_at is not null", id)).isEqualTo(1);
        for (String personal : List.of(owner.email(), developer.email(), Api.subjectOf(owner.accessToken()),
                "Erase Me GmbH")) {
            assertThat(count("select count(*) from tenants t where t.id = ? and t::text ilike ?", id,
                    "%" + personal + "%")).as(personal).isZero();
            assertThat(count("select count(*) from audit_events a where a.tenant_id = ? and a::text ilike ?", id,
                    "%" + personal + "%")).as(personal).isZero();
        }
        assertThat(changes.await(tenant, 2, Duration.ofSeconds(15))).extracting(TenancyChange::type)
                .containsExactly(TenancyChange.API_KEY_REVOKED, TenancyChange.TENANT_CLOSED);
        assertThat(changes.await(tenant, 1, Duration.ofSeconds(15))).extracting(TenancyChange::type)
                .containsExactly(TenancyChange.TENANT_ERASED);

        closure.eraseDue(eraseAfter.plusSeconds(2));
        changes.expectNoMore(tenant, Duration.ofSeconds(1));
        assertThat(count("select count(*) from members where tenant_id = ?::uuid", other)).isEqualTo(1);
        assertThat(count("select count(*) from api_keys where tenant_id = ?::uuid", other)).isEqualTo(1);
    }
}
