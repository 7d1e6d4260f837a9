package dev.meridian.billing;

import static dev.meridian.billing.Api.event;
import static dev.meridian.billing.Api.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.stack.MeridianHome;
import dev.meridian.stack.Ports;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import dev.meridian.stack.ServiceProcess;
import dev.meridian.testing.TestStack;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged billing service in a child JVM, killed with SIGKILL while it ingests a stream of usage events and
 * started again: every event is billed exactly once. It has a database of its own (billing's schema migrated into
 * {@value #DATABASE}) and a consumer group of its own, so the billing of the other ITs, running in this JVM, neither
 * helps nor hides anything.
 */
class BillingProcessCrashIT {

    static final String DATABASE = "meridian_billing_crash";
    static final int EVENTS = 12_000;
    static final int CHUNK = 500;

    private ServiceProcess billing;

    @AfterEach
    void stop() {
        if (billing != null) {
            billing.close();
        }
    }

    @Test
    void aBillingProcessKilledMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
        TestStack stack = TestStack.get();
        stack.postgres().ensureDatabase(DATABASE, PostgresServer.OWNER_ROLE, PostgresServer.APP_ROLE);
        String group = "meridian-billing-crash-" + UUID.randomUUID(); // within billing's ACLs
        UUID tenant = UUID.randomUUID();
        Instant now = Instant.now();
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            events.add(event(tenant, Meter.REQUESTS, 1, now.minusSeconds(i % 7200)));
        }

        billing = start("billing-crash-1", group);
        // published in chunks, each once billing has caught up to within two chunks of it: the stream stays just ahead
        // of billing, so the kill lands in the middle of it with batches in flight; after the kill the rest goes out
        AtomicBoolean killed = new AtomicBoolean();
        Thread publisher = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < EVENTS; i += CHUNK) {
                long ahead = i - 2L * CHUNK;
                await("billing to catch up to " + ahead + " events before the next chunk")
                        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                        .until(() -> killed.get() || billed(tenant).quantity() >= ahead);
                publish(events.subList(i, i + CHUNK));
            }
        });
        await("billing to ingest a quarter of the stream before it is killed").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5)).until(() -> billed(tenant).quantity() >= EVENTS / 4);
        ProcessHandle process = ProcessHandle.of(billing.pid()).orElseThrow();
        process.destroyForcibly(); // SIGKILL: no shutdown hook, no last offset commit
        process.onExit().join();
        killed.set(true);
        billing.close();
        Billed atKill = billed(tenant);
        assertThat(atKill.quantity()).as("killed mid-stream").isBetween((long) EVENTS / 4, EVENTS - 1L);
        publisher.join();

        billing = start("billing-crash-2", group);
        awaitNoLag(group, Duration.ofSeconds(90));
        Billed after = billed(tenant);
        assertThat(after.ids()).as("every event id billed, none lost").isEqualTo(EVENTS);
        assertThat(after.quantity()).as("no event added twice").isEqualTo(EVENTS);
        assertThat(after.events()).isEqualTo(EVENTS);
    }

    private static ServiceProcess start(String name, String group) {
        TestStack stack = TestStack.get();
        Secrets s = stack.secrets();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", stack.jdbcUrl(DATABASE));
        config.put("quarkus.datasource.username", PostgresServer.APP_ROLE);
        config.put("quarkus.datasource.password", s.get(Secrets.DB_APP_PASSWORD));
        config.put("quarkus.flyway.jdbc-url", stack.jdbcUrl(DATABASE));
        config.put("quarkus.flyway.username", PostgresServer.OWNER_ROLE);
        config.put("quarkus.flyway.password", s.get(Secrets.DB_OWNER_PASSWORD));
        config.putAll(stack.kafkaServiceConfig("billing"));
        config.put("quarkus.oidc.auth-server-url", stack.realmUrl());
        config.put("quarkus.oidc-client.credentials.secret", s.get(Secrets.BILLING_CLIENT_SECRET));
        config.put("meridian.billing.ingest.group", group);
        // small batches: many database commits and offset commits for the kill to fall between
        config.put("meridian.billing.ingest.max-poll-records", "500");
        // not a member of the sign-ups group of the billing under test: once killed, it would hold partitions
        config.put("meridian.billing.sign-ups.enabled", "false");
        MeridianHome home = MeridianHome.locate();
        return ServiceProcess.start(home, name, "billing", Ports.free(), config,
                home.root().resolve("billing/target/crash-logs"), null);
    }

    record Billed(long ids, long quantity, long events) {
    }

    /** What the child billing stored for the tenant, read as the superuser (no row-level security). */
    private static Billed billed(UUID tenant) throws SQLException {
        try (Connection c = TestStack.get().postgres().admin(DATABASE);
                var s = c.prepareStatement("select (select count(*) from billing.usage_events where tenant_id = ?),"
                        + " coalesce(sum(quantity), 0), coalesce(sum(events), 0) from billing.usage_hourly"
                        + " where tenant_id = ? and meter = 'requests'")) {
            s.setObject(1, tenant);
            s.setObject(2, tenant);
            var rs = s.executeQuery();
            rs.next();
            return new Billed(rs.getLong(1), rs.getLong(2), rs.getLong(3));
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // billing has not migrated its schema yet
                return new Billed(0, 0, 0);
            }
            throw e;
        }
    }

    /** Waits until the group has committed offsets up to the end of every partition of {@code usage.events}. */
    private static void awaitNoLag(String group, Duration timeout) throws Exception {
        try (Admin admin = Admin.create(TestStack.get().kafkaAdminProperties())) {
            await("billing's consumer group " + group + " to commit every event of " + UsageEvent.TOPIC)
                    .atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(lag(admin, group)).as("events not yet committed").isZero());
        }
    }

    private static long lag(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        var partitions = admin.describeTopics(List.of(UsageEvent.TOPIC)).allTopicNames().get()
                .get(UsageEvent.TOPIC).partitions().stream()
                .map(info -> new TopicPartition(UsageEvent.TOPIC, info.partition()))
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        var ends = admin.listOffsets(partitions).all().get();
        long lag = 0;
        for (var end : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(end.getKey());
            lag += end.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }
}
