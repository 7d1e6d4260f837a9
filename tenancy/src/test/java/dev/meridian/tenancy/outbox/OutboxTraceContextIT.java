package dev.meridian.tenancy.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import dev.meridian.common.events.TenancyChange;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An outbox row keeps the trace context of the transaction that wrote it, and the relay publishes it as the record's
 * {@code traceparent} and {@code tracestate} headers; without a current span there is neither.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class OutboxTraceContextIT {

    @Inject
    Outbox outbox;
    @Inject
    EntityManager em;

    private KafkaConsumer<String, String> consumer;
    private final List<ConsumerRecord<String, String>> seen = new ArrayList<>();

    @BeforeEach
    void listenFromNow() {
        consumer = new KafkaConsumer<>(TestStack.get().kafkaAs("gateway", Map.of()), new StringDeserializer(),
                new StringDeserializer());
        var partitions = consumer.partitionsFor(TenancyChange.TOPIC, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    @AfterEach
    void close() {
        consumer.close();
    }

    @Test
    void aMessageWrittenInsideASpanIsPublishedWithItsTraceparentAndTracestate() {
        UUID tenant = UUID.randomUUID();
        var span = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", TraceFlags.getSampled(),
                TraceState.builder().put("meridian", "outbox").build());

        try (Scope ignored = Span.wrap(span).makeCurrent()) {
            QuarkusTransaction.requiringNew().run(() -> outbox.tenancyChange("tenant.updated", tenant, null, null));
        }

        var record = publishedFor(tenant);
        assertThat(header(record, "traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(header(record, "tracestate")).isEqualTo("meridian=outbox");
        assertThat(QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "select traceparent from outbox where message_key = :t").setParameter("t", tenant.toString())
                .getSingleResult())).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    }

    @Test
    void aMessageWrittenWithoutASpanHasNoTraceHeaders() {
        UUID tenant = UUID.randomUUID();

        QuarkusTransaction.requiringNew().run(() -> outbox.tenancyChange("tenant.updated", tenant, null, null));

        var record = publishedFor(tenant);
        assertThat(record.headers().lastHeader("traceparent")).isNull();
        assertThat(record.headers().lastHeader("tracestate")).isNull();
    }

    @Test
    void theRelayReportsItselfReady() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("outbox-relay"))
                .body("checks.find { it.name == 'outbox-relay' }.status", is("UP"))
                .body("checks.find { it.name == 'outbox-relay' }.data.kafka", is("reachable"));
    }

    private ConsumerRecord<String, String> publishedFor(UUID tenant) {
        return await("the relay publishes the change").atMost(Duration.ofSeconds(15)).until(() -> {
            consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
            return seen.stream().filter(r -> tenant.toString().equals(r.key())).findFirst().orElse(null);
        }, r -> r != null);
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.US_ASCII);
    }
}
