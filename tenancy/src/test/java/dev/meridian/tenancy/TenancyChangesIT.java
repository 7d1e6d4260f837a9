package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.count;
import static dev.meridian.tenancy.Api.createKey;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Changes gateways must know reach Kafka's tenancy.changes through the transactional outbox, once each. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class TenancyChangesIT {

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
    void everyChangeAGatewayMustKnowIsPublishedExactlyOnce() {
        var owner = newUser();
        String operator = TestStack.get().operatorToken();
        String tenant = createTenant(owner.accessToken(), "Events");
        var key = createKey(owner.accessToken(), tenant, "k", "models");
        as(owner.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, key.path("id")).then()
                .statusCode(200);
        as(owner.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, key.path("id")).then()
                .statusCode(200);
        var second = createKey(owner.accessToken(), tenant, "k2", "models");
        var third = as(owner.accessToken()).body(Map.of())
                .post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, second.path("id")).then().statusCode(201)
                .extract();
        var fourth = as(owner.accessToken()).body(Map.of("grace_seconds", 60))
                .post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, third.path("id")).then().statusCode(201)
                .extract();
        as(owner.accessToken()).body(Map.of("transit_allowed", false)).patch("/api/v1/tenants/{t}", tenant).then()
                .statusCode(200);
        as(operator).post("/api/v1/tenants/{t}/suspend", tenant).then().statusCode(200);
        as(operator).post("/api/v1/tenants/{t}/suspend", tenant).then().statusCode(200);
        as(operator).post("/api/v1/tenants/{t}/activate", tenant).then().statusCode(200);

        List<TenancyChange> events = changes.await(tenant, 11, Duration.ofSeconds(15));
        changes.expectNoMore(tenant, Duration.ofSeconds(1));

        assertThat(events).extracting(TenancyChange::type).containsExactly(
                TenancyChange.TENANT_CREATED,
                TenancyChange.API_KEY_CREATED, TenancyChange.API_KEY_REVOKED,
                TenancyChange.API_KEY_CREATED,
                TenancyChange.API_KEY_CREATED, TenancyChange.API_KEY_REVOKED,
                TenancyChange.API_KEY_CREATED, TenancyChange.API_KEY_UPDATED,
                TenancyChange.TENANT_UPDATED, TenancyChange.TENANT_SUSPENDED, TenancyChange.TENANT_ACTIVATED);
        assertThat(events).extracting(TenancyChange::keyPrefix).containsExactly(
                null,
                key.path("prefix"), key.path("prefix"),
                second.path("prefix"),
                third.path("prefix"), second.path("prefix"),
                fourth.path("prefix"), third.path("prefix"),
                null, null, null);
        assertThat(events).extracting(TenancyChange::id).doesNotHaveDuplicates();
        assertThat(events).allSatisfy(e -> assertThat(e.tenantId().toString()).isEqualTo(tenant));
    }

    @Test
    void tenantCreatedCarriesThePlanAndHomeRegionBillingOpensTheAccountWith() {
        var owner = newUser();
        String tenant = as(owner.accessToken())
                .body(Map.of("name", "Paying", "home_region", "us-east", "plan", "payg"))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("id");
        createKey(owner.accessToken(), tenant, "k", "models");

        List<TenancyChange> events = changes.await(tenant, 2, Duration.ofSeconds(10));

        assertThat(events).extracting(TenancyChange::type)
                .containsExactly(TenancyChange.TENANT_CREATED, TenancyChange.API_KEY_CREATED);
        assertThat(events.getFirst().plan()).isEqualTo("payg");
        assertThat(events.getFirst().homeRegion()).isEqualTo("us-east");
        assertThat(events.getLast().plan()).as("only tenant.created carries the plan").isNull();
        assertThat(events.getLast().homeRegion()).isNull();
    }

    @Test
    void aRevocationReachesKafkaWithinOneSecond() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Fast");
        var key = createKey(owner.accessToken(), tenant, "k", "models");
        changes.await(tenant, 2, Duration.ofSeconds(10));

        long start = System.nanoTime();
        as(owner.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, key.path("id")).then()
                .statusCode(200);
        var revoked = changes.await(tenant, 1, Duration.ofSeconds(10));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(revoked).extracting(TenancyChange::type).containsExactly(TenancyChange.API_KEY_REVOKED);
        assertThat(took).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void publishedMessagesAreMarkedPublished() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Marked");
        changes.await(tenant, 1, Duration.ofSeconds(10));

        await("the relay marks the published change published").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(count(
                        "select count(*) from outbox where message_key = ? and published_at is null", tenant))
                        .isZero());
        assertThat(count("select count(*) from outbox where message_key = ?", tenant)).isEqualTo(1);
    }

    @Test
    void aMessageNobodyNudgedTheRelayAboutIsPublishedByThePoll() throws Exception {
        String tenant = UUID.randomUUID().toString();
        String id = UUID.randomUUID().toString();
        // As if the process had crashed between commit and publish: a row in the outbox, no after-commit nudge.
        try (var c = Api.superuser();
                var s = c.prepareStatement("insert into outbox (id, topic, message_key, payload, created_at)"
                        + " values (?::uuid, 'tenancy.changes', ?, ?::jsonb, now())")) {
            s.setString(1, id);
            s.setString(2, tenant);
            s.setString(3, new ObjectMapper().writeValueAsString(Map.of("id", id, "type", "tenant.updated",
                    "tenant_id", tenant, "occurred_at", "2030-01-01T00:00:00Z")));
            s.executeUpdate();
        }

        var events = changes.await(tenant, 1, Duration.ofSeconds(10));

        assertThat(events).extracting(e -> e.id().toString()).containsExactly(id);
    }
}
