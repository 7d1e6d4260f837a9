package dev.meridian.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Changes gateways must know reach Kafka's tenancy.changes through the transactional outbox, once each. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class TenancyChangesIT {

    private final ObjectMapper json = new ObjectMapper().findAndRegisterModules();
    private KafkaConsumer<String, String> consumer;

    @BeforeEach
    void subscribeFromNow() {
        consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", TestStack.get().kafkaBootstrap()),
                new StringDeserializer(), new StringDeserializer());
        var partitions = consumer.partitionsFor(TenancyChange.TOPIC, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end offsets now, before the test's changes
    }

    @AfterEach
    void close() {
        consumer.close();
    }

    private List<TenancyChange> eventsOf(String tenantId, Predicate<List<TenancyChange>> enough) throws Exception {
        List<TenancyChange> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && !enough.test(seen)) {
            for (var r : consumer.poll(Duration.ofMillis(100))) {
                var change = json.readValue(r.value(), TenancyChange.class);
                if (change.tenantId().toString().equals(tenantId)) {
                    assertThat(r.key()).isEqualTo(tenantId);
                    seen.add(change);
                }
            }
        }
        return seen;
    }

    @Test
    void keyCreateRevokeAndSuspendArePublishedExactlyOnce() throws Exception {
        var user = TestStack.get().newUser();
        String tenant = TenancyApiIT.createTenant(user.accessToken(), "Events");
        var key = TenancyApiIT.as(user.accessToken()).body(Map.of("name", "k", "scopes", List.of("models")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(201).extract();
        TenancyApiIT.as(user.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, key.path("id"))
                .then().statusCode(200);
        TenancyApiIT.as(user.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, key.path("id"))
                .then().statusCode(200);
        TenancyApiIT.as(TestStack.get().operatorToken()).post("/api/v1/tenants/{t}/suspend", tenant)
                .then().statusCode(200);

        var events = eventsOf(tenant, seen -> seen.size() >= 4);
        assertThat(events).extracting(TenancyChange::type).containsExactly(TenancyChange.TENANT_CREATED,
                TenancyChange.API_KEY_CREATED, TenancyChange.API_KEY_REVOKED, TenancyChange.TENANT_SUSPENDED);
        assertThat(events.get(2).keyPrefix()).isEqualTo(key.path("prefix"));
        assertThat(events).extracting(TenancyChange::id).doesNotHaveDuplicates();
    }

    @Test
    void messageLeftInTheOutboxIsPublishedByThePoll() throws Exception {
        String tenant = UUID.randomUUID().toString();
        String id = UUID.randomUUID().toString();
        // As if a commit-time publish had failed: a row nobody nudged the relay about.
        try (var c = TestStack.get().postgres().admin(TestStack.CONTROL_DB);
                var s = c.prepareStatement("insert into outbox (id, topic, message_key, payload, created_at)"
                        + " values (?::uuid, 'tenancy.changes', ?, ?::jsonb, now())")) {
            s.setString(1, id);
            s.setString(2, tenant);
            s.setString(3, "{\"id\":\"" + id + "\",\"type\":\"tenant.updated\",\"tenant_id\":\"" + tenant
                    + "\",\"occurred_at\":\"2026-01-01T00:00:00Z\"}");
            s.executeUpdate();
        }
        var events = eventsOf(tenant, seen -> !seen.isEmpty());
        assertThat(events).extracting(e -> e.id().toString()).containsExactly(id);
    }
}
