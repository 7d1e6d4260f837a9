package dev.meridian.billing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.meridian.billing.usage.messaging.UsageConsumer;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.PlanChange;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.testing.TestStack;
import io.quarkus.arc.Arc;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.ConfigProvider;

/** What the billing ITs do over and over: call as a gateway or an operator, publish usage, peek at the database. */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static String gatewayToken;
    private static String operatorToken;

    private Api() {
    }

    static synchronized String gatewayToken() {
        if (gatewayToken == null) {
            gatewayToken = TestStack.get().serviceToken("meridian-gateway");
        }
        return gatewayToken;
    }

    static synchronized String operatorToken() {
        if (operatorToken == null) {
            operatorToken = TestStack.get().operatorToken();
        }
        return operatorToken;
    }

    /** As a gateway forwarding an API key's call of {@code tenant} with {@code scopes}. */
    static RequestSpecification asKeyOf(UUID tenant, String scopes) {
        return given().auth().oauth2(gatewayToken()).contentType(ContentType.JSON)
                .header(MeridianHeaders.TENANT_ID, tenant.toString())
                .header(MeridianHeaders.SCOPES, scopes)
                .header(MeridianHeaders.REGION, "eu-central");
    }

    static RequestSpecification asGateway() {
        return given().auth().oauth2(gatewayToken()).contentType(ContentType.JSON);
    }

    static RequestSpecification asOperator() {
        return given().auth().oauth2(operatorToken()).contentType(ContentType.JSON);
    }

    static UsageEvent event(UUID tenant, Meter meter, long quantity, Instant at) {
        return new UsageEvent(UUID.randomUUID(), tenant, "eu-central", meter, quantity, "bge-small-en-v1.5", null,
                at, "test");
    }

    /** A producer as service {@code principal}, allowed only what that service's ACLs allow. */
    static KafkaProducer<String, String> producer(String principal) {
        Properties p = new Properties();
        p.putAll(TestStack.get().kafkaAs(principal, Map.of()));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static KafkaProducer<String, String> shared;

    /** Publishes and waits until the broker has every event (one producer for the JVM: it is thread-safe). */
    static void publish(List<UsageEvent> events) {
        KafkaProducer<String, String> producer;
        synchronized (Api.class) {
            if (shared == null) {
                shared = producer("gateway"); // as gateways publish usage
            }
            producer = shared;
        }
        try {
            List<java.util.concurrent.Future<?>> sends = new java.util.ArrayList<>();
            for (UsageEvent e : events) {
                sends.add(producer.send(new ProducerRecord<>(UsageEvent.TOPIC, e.tenantId().toString(),
                        JSON.writeValueAsString(e))));
            }
            for (var send : sends) {
                send.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish usage events: " + e.getMessage(), e);
        }
    }

    /** As the database superuser (bypasses row-level security), to check what is really stored. */
    static Connection superuser() throws SQLException {
        return TestStack.get().postgres().admin(TestStack.CONTROL_DB);
    }

    static long storedQuantity(UUID tenant, Meter meter) throws SQLException {
        try (var c = superuser(); var s = c.prepareStatement("select coalesce(sum(quantity), 0) from"
                + " billing.usage_hourly where tenant_id = ? and meter = ?")) {
            s.setObject(1, tenant);
            s.setString(2, meter.wireName());
            var rs = s.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Waits until the stored quantity of {@code meter} reaches {@code expected}, then returns it (the caller checks it
     * is not more). Usage flows only once the group has assigned every partition, so that is awaited first; a timeout
     * says where the tenant's events stand (partition, assignment, committed offset and end of that partition).
     */
    static long awaitQuantity(UUID tenant, Meter meter, long expected) throws Exception {
        awaitUsageConsumerAssigned();
        await("billing to ingest " + expected + " " + meter.wireName() + " of tenant " + tenant)
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(storedQuantity(tenant, meter))
                        .as(() -> whereUsageStands(tenant)).isGreaterThanOrEqualTo(expected));
        return storedQuantity(tenant, meter);
    }

    /**
     * Waits until billing's usage consumers in this JVM (the app under test) hold every partition of
     * {@code usage.events}: before that, a tenant's events on an unassigned partition wait for the next rebalance.
     */
    static void awaitUsageConsumerAssigned() {
        var consumer = Arc.container().instance(UsageConsumer.class).get();
        int partitions = partitionsOfUsageEvents();
        // a member that left without a clean goodbye keeps its partitions until its session times out (Kafka's
        // default session.timeout.ms is 45 s): the rebalance is bounded by that, not by how fast the machine is
        await("billing's usage consumers to be assigned all " + partitions + " partitions of " + UsageEvent.TOPIC)
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> consumer.assignment().size() == partitions);
    }

    private static int partitionsOfUsageEvents() {
        try (Admin admin = admin()) {
            return admin.describeTopics(List.of(UsageEvent.TOPIC)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(UsageEvent.TOPIC).partitions().size();
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe " + UsageEvent.TOPIC + ": " + e.getMessage(), e);
        }
    }

    static Admin admin() {
        return Admin.create(TestStack.get().kafkaAdminProperties());
    }

    /** For a failed wait: the tenant's partition, who holds it, and how far billing's group has committed on it. */
    private static String whereUsageStands(UUID tenant) {
        try (Admin admin = admin()) {
            int partitions = partitionsOfUsageEvents();
            var tp = new TopicPartition(UsageEvent.TOPIC, Utils.toPositive(Utils.murmur2(
                    tenant.toString().getBytes(StandardCharsets.UTF_8))) % partitions);
            String group = ConfigProvider.getConfig().getOptionalValue("meridian.billing.ingest.group", String.class)
                    .orElse("meridian-billing");
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).get(tp);
            long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp)
                    .get(10, TimeUnit.SECONDS).offset();
            var consumer = Arc.container().instance(UsageConsumer.class).get();
            return "tenant's events are on " + tp + ", end offset " + end + ", group " + group + " committed "
                    + (committed == null ? "nothing" : committed.offset()) + "; consumers hold "
                    + consumer.assignment() + ", ingested " + consumer.ingested() + ", skipped " + consumer.skipped();
        } catch (Exception e) {
            return "(cannot tell where the tenant's usage stands: " + e + ")";
        }
    }

    /** The tenant's messages on billing.plans, from the beginning, after waiting for {@code n} (and 1 s more). */
    static List<PlanChange> planChanges(UUID tenant, int n, Duration timeout) throws Exception {
        Properties p = TestStack.get().kafkaAdminProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "plans-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<PlanChange> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(PlanChange.TOPIC));
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    PlanChange c = JSON.readValue(r.value(), PlanChange.class);
                    if (tenant.equals(c.tenantId())) {
                        assertThat(r.key()).as("keyed by tenant").isEqualTo(tenant.toString());
                        found.add(c);
                    }
                }
                if (found.size() >= n && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos(); // a duplicate would show now
                }
            }
        }
        return found;
    }
}
