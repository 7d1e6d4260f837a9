package dev.meridian.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.stack.OidcBrowser;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The shared test servers are the real thing, set up the way the services expect. */
class ServersIT {

    private final TestStack stack = TestStack.get();

    @Test
    void appRoleLogsInButCanNeitherBypassRowLevelSecurityNorCreateTables() throws Exception {
        try (var c = DriverManager.getConnection(stack.jdbcUrl(TestStack.CONTROL_DB), PostgresServer.APP_ROLE,
                stack.secrets().get(Secrets.DB_APP_PASSWORD)); var s = c.createStatement()) {
            var rs = s.executeQuery("select rolbypassrls, rolsuper from pg_roles where rolname = current_user");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).as("bypass RLS").isFalse();
            assertThat(rs.getBoolean(2)).as("superuser").isFalse();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> s.execute("create table t (x int)")))
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void kafkaBrokerDeliversARecord() {
        String topic = "stack-check-" + UUID.randomUUID();
        Map<String, Object> common = stack.kafkaAdmin(Map.of());
        try (var producer = new KafkaProducer<>(merge(common, Map.of(ProducerConfig.ACKS_CONFIG, "all")),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "hello")).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        try (var consumer = new KafkaConsumer<>(merge(common, Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
                new StringDeserializer(), new StringDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            List<String> values = new java.util.ArrayList<>();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            assertThat(values).containsExactly("hello");
        }
    }

    @Test
    void demoUserLogsInWithPkceAndGetsTheApiAudience() {
        String token = stack.demoToken();
        assertThat(OidcBrowser.claim(token, "aud")).get().asString().contains("meridian-api");
        assertThat(OidcBrowser.claim(token, "email")).contains("demo@meridian.local");
    }

    @Test
    void newUserSignsUpThroughTheRegistrationPage() {
        var user = stack.newUser();
        assertThat(OidcBrowser.claim(user.accessToken(), "email")).contains(user.email());
        assertThat(OidcBrowser.claim(user.accessToken(), "email_verified")).contains("true");
        // and can log in again with the chosen password
        assertThat(stack.login(user.email(), user.password()).accessToken()).isNotBlank();
    }

    @Test
    void wrongPasswordIsReportedFromTheLoginPage() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> stack.login("demo@meridian.local", "wrong")))
                .hasMessageContaining("Invalid");
    }

    @Test
    void aSignUpGetsNoTokenUntilItFollowsTheLinkMailedToItsAddress() {
        String email = "verify-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        var signUp = OidcBrowser.startSignUp(stack.keycloakUrl(), email, "Pw-" + UUID.randomUUID(), "T", "U");

        assertThat(signUp.awaitsVerification()).isTrue();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(signUp::tokens)).hasMessageContaining("verified");
        var tokens = signUp.verify(stack.mailbox());
        assertThat(OidcBrowser.claim(tokens.accessToken(), "email")).contains(email);
        assertThat(OidcBrowser.claim(tokens.accessToken(), "email_verified")).contains("true");
    }

    @Test
    void eachServiceAccountHasItsOwnRoleAndNoOther() {
        for (String service : List.of("gateway", "tenancy", "billing", "inference", "worker")) {
            String token = stack.serviceToken("meridian-" + service);
            assertThat(OidcBrowser.claim(token, "realm_access")).get().asString()
                    .contains("\"service-" + service + "\"")
                    .doesNotContain("meridian-service")
                    .satisfies(roles -> assertThat(roles.split("service-", -1)).hasSize(2));
            assertThat(OidcBrowser.claim(token, "aud")).get().asString().contains("meridian-api");
        }
    }

    private static Map<String, Object> merge(Map<String, Object> a, Map<String, Object> b) {
        var m = new java.util.HashMap<>(a);
        m.putAll(b);
        return m;
    }
}
