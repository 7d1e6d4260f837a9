package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.count;
import static dev.meridian.tenancy.Api.createKey;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.common.events.TenancyChange;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Kafka being unavailable does not fail the API: changes wait in the outbox and the relay publishes them once the
 * broker answers again. The outage is real: the test JVM's own broker process is frozen (SIGSTOP) and thawed.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class KafkaOutageIT {

    @Test
    void changesMadeWhileKafkaIsDownArePublishedOnceItIsBack() throws Exception {
        var owner = newUser();
        String operator = TestStack.get().operatorToken();
        String tenant = createTenant(owner.accessToken(), "Offline");
        var key = createKey(owner.accessToken(), tenant, "k", "models");
        try (var changes = ChangeConsumer.fromEnd()) {
            long broker = TestStack.get().kafkaPid();
            List<String> written;
            signal("STOP", broker);
            try {
                long start = System.nanoTime();
                as(owner.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, key.path("id"))
                        .then().statusCode(200);
                as(operator).post("/api/v1/tenants/{t}/suspend", tenant).then().statusCode(200);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the API does not wait for Kafka")
                        .isLessThan(Duration.ofSeconds(5));
                // The relay holds these very rows and cannot finish: what the outbox shows next is its doing.
                await("the relay claims the changes and waits on the frozen broker").atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(50)).until(() -> claimedByAnotherTransaction(tenant) > 0);

                written = outboxIds(tenant, "published_at is null");
                assertThat(written).as("both changes wait in the outbox").hasSize(2);
            } finally {
                signal("CONT", broker);
            }

            var events = changes.await(tenant, 2, Duration.ofSeconds(60));
            assertThat(events).extracting(TenancyChange::type)
                    .containsExactly(TenancyChange.API_KEY_REVOKED, TenancyChange.TENANT_SUSPENDED);
            assertThat(events).extracting(e -> e.id().toString()).containsExactlyElementsOf(written);
        }
        await("the relay marks the published changes published").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(count(
                        "select count(*) from outbox where message_key = ? and published_at is null", tenant))
                        .isZero());
    }

    /**
     * How many of the tenant's unpublished changes another transaction holds locked: the relay claims the rows it
     * publishes {@code FOR UPDATE} until Kafka acknowledged them. One statement, so both counts see one snapshot; the
     * probe's own locks last only until its rollback.
     */
    private static long claimedByAnotherTransaction(String tenant) throws java.sql.SQLException {
        try (var c = Api.superuser()) {
            c.setAutoCommit(false);
            try (var s = c.prepareStatement("with free as (select id from outbox where message_key = ?"
                    + " and published_at is null for update skip locked)"
                    + " select (select count(*) from outbox where message_key = ? and published_at is null)"
                    + " - (select count(*) from free)")) {
                s.setString(1, tenant);
                s.setString(2, tenant);
                try (var rs = s.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            } finally {
                c.rollback();
            }
        }
    }

    private static List<String> outboxIds(String tenant, String condition) {
        try (var c = Api.superuser(); var s = c.prepareStatement(
                "select id from outbox where message_key = ? and " + condition + " order by seq")) {
            s.setString(1, tenant);
            var ids = new java.util.ArrayList<String>();
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getObject(1, UUID.class).toString());
                }
            }
            return ids;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        int rc = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
        assertThat(rc).as("kill -%s %d", signal, pid).isZero();
    }
}
