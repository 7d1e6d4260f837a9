package dev.meridian.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.stack.KafkaPrincipals;
import dev.meridian.stack.MeridianHome;
import dev.meridian.stack.Secrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka trusts nobody by default: the test stack's broker (the one ./platform runs) refuses clients without a valid
 * SCRAM password, and each service's principal may write and read exactly the topics that
 * helm/meridian/files/kafka-principals.json grants it, probed topic by topic with real producers and consumers. The
 * threats of issue #12 are asserted on their own, so a grant too broad added to the table fails here too.
 */
class KafkaPrincipalsIT {

    static final String REGION = "eu-central";
    /** A topic no table entry names: nobody but the administrator may touch it. */
    static final String STRAY = "stray.topic";

    static TestStack stack;
    static KafkaPrincipals table;
    /** Every topic the table names (in {@value #REGION}), and {@value #STRAY}. */
    static Set<String> topics;

    @BeforeAll
    static void createEveryTopic() throws Exception {
        stack = TestStack.get();
        table = KafkaPrincipals.load(MeridianHome.locate());
        topics = new TreeSet<>(List.of(STRAY));
        table.all().forEach(p -> p.grantsIn(List.of(REGION)).stream().filter(g -> g.type() == ResourceType.TOPIC)
                .forEach(g -> topics.add(g.name())));
        try (Admin admin = Admin.create(stack.kafkaAdmin(Map.of()))) {
            for (String topic : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(TopicExistsException.class);
                }
            }
        }
        // one record in every topic, so a principal that may read a topic provably gets something back
        try (var producer = new KafkaProducer<>(stack.kafkaAdmin(Map.of("acks", "all")), new StringSerializer(),
                new StringSerializer())) {
            for (String topic : topics) {
                producer.send(new ProducerRecord<>(topic, "seed", "{}")).get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aClientWithoutAPasswordOrWithAWrongOneIsRefused() {
        var anonymous = Map.<String, Object>of("bootstrap.servers", stack.kafkaBootstrap(),
                "security.protocol", "PLAINTEXT", "request.timeout.ms", 2000, "default.api.timeout.ms", 4000);
        try (Admin admin = Admin.create(anonymous)) {
            assertThat(catchThrowable(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS)))
                    .as("a plaintext client gets nothing from the SASL listener").isNotNull();
        }

        var wrongPassword = new java.util.HashMap<>(stack.kafkaAs("billing", Map.of("request.timeout.ms", 3000,
                "default.api.timeout.ms", 5000)));
        wrongPassword.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"billing\" password=\"not-" + stack.secrets().kafkaPassword("billing") + "\";");
        try (Admin admin = Admin.create(wrongPassword)) {
            assertThat(catchThrowable(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS)))
                    .hasRootCauseInstanceOf(AuthenticationException.class);
        }

        var unknownUser = stack.kafkaAs("billing", Map.of("request.timeout.ms", 3000, "default.api.timeout.ms", 5000,
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"intruder\" password=\"" + stack.secrets().kafkaPassword("billing") + "\";"));
        try (Admin admin = Admin.create(unknownUser)) {
            assertThat(catchThrowable(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS)))
                    .hasRootCauseInstanceOf(AuthenticationException.class);
        }
    }

    @Test
    void eachPrincipalWritesExactlyWhereTheTableLetsIt() {
        Map<String, Set<String>> writers = new TreeMap<>();
        for (var principal : table.all()) {
            for (String topic : topics) {
                if (canWrite(principal.service(), topic)) {
                    writers.computeIfAbsent(topic, t -> new TreeSet<>()).add(principal.service());
                }
            }
        }

        assertThat(writers).as("who may write each topic, probed").isEqualTo(granted(AclOperation.WRITE));
        // the threats of issue #12, whatever the table says
        assertThat(writers.get("usage.events"))
                .as("billing ingests usage from the gateways, workers (training) and models (storage) only")
                .containsExactlyInAnyOrder("gateway", "worker", "models");
        assertThat(writers.get("tenancy.changes")).as("key and tenant changes come from tenancy alone")
                .containsExactly("tenancy");
        assertThat(writers.get(REGION + ".finetune.jobs")).as("jobs come from the models service alone")
                .containsExactly("models");
        assertThat(writers.get(REGION + ".finetune.events")).as("job outcomes come from workers alone")
                .containsExactly("worker");
        assertThat(writers.get(REGION + ".models.changes")).containsExactly("models");
        assertThat(writers.get("billing.plans")).containsExactly("billing");
        assertThat(writers).doesNotContainKey(STRAY);
    }

    @Test
    void eachPrincipalReadsExactlyWhereTheTableLetsIt() {
        Map<String, Set<String>> readers = new TreeMap<>();
        for (var principal : table.all()) {
            for (String topic : topics) {
                if (canRead(principal.service(), topic)) {
                    readers.computeIfAbsent(topic, t -> new TreeSet<>()).add(principal.service());
                }
            }
        }

        assertThat(readers).as("who may read each topic, probed").isEqualTo(granted(AclOperation.READ));
        assertThat(readers.get(REGION + ".finetune.jobs")).as("only workers see the jobs' blob references")
                .containsExactly("worker");
        assertThat(readers.get("usage.events")).containsExactly("billing");
        assertThat(readers).doesNotContainKey(STRAY);
    }

    @Test
    void aPrincipalJoinsOnlyItsOwnConsumerGroups() {
        assertThat(catchThrowable(() -> subscribe("worker", "usage.events", "meridian-billing")))
                .as("the worker may neither read usage nor join billing's group")
                .isInstanceOfAny(GroupAuthorizationException.class, TopicAuthorizationException.class);
        assertThat(catchThrowable(() -> subscribe("billing", "billing.plans", "meridian-tenancy")))
                .as("billing may not join tenancy's group, though it may describe billing.plans")
                .isInstanceOf(GroupAuthorizationException.class);
        assertThat(catchThrowable(() -> subscribe("billing", "usage.events", "meridian-billing-probe")))
                .as("billing's own group prefix").isNull();
    }

    /** Topic → the principals the table grants {@code operation} on it. */
    private static Map<String, Set<String>> granted(AclOperation operation) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (var principal : table.all()) {
            for (var grant : principal.grantsIn(List.of(REGION))) {
                if (grant.type() == ResourceType.TOPIC && grant.operations().contains(operation)) {
                    out.computeIfAbsent(grant.name(), t -> new TreeSet<>()).add(principal.service());
                }
            }
        }
        return out;
    }

    /**
     * Whether {@code principal} may write {@code topic}: refused, the idempotent producer fails on the topic's
     * metadata, or (a principal that may describe the topic but write none) on its producer id, a cluster refusal.
     */
    private static boolean canWrite(String principal, String topic) {
        try (var producer = new KafkaProducer<>(stack.kafkaAs(principal, Map.of("acks", "all", "max.block.ms", 5000,
                "delivery.timeout.ms", 10000, "request.timeout.ms", 5000)), new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "probe", "{}")).get(15, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            assertThat(e.getCause()).as("%s refused writing %s", principal, topic)
                    .isInstanceOfAny(TopicAuthorizationException.class, ClusterAuthorizationException.class);
            return false;
        } catch (TopicAuthorizationException | ClusterAuthorizationException e) {
            return false;
        } catch (Exception e) {
            // The idempotent producer asks for its producer id in the background; when the cluster refuses that
            // before send() is called, send() throws "in an error state" with the refusal as its cause.
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof TopicAuthorizationException || c instanceof ClusterAuthorizationException) {
                    return false;
                }
            }
            throw new AssertionError("cannot tell whether " + principal + " may write " + topic, e);
        }
    }

    /**
     * Whether {@code principal} may read {@code topic}: it gets the record seeded there, or is refused. An empty poll
     * says neither (on a loaded machine the refusal can come later than one short poll), so it polls until one.
     */
    private static boolean canRead(String principal, String topic) {
        try (var consumer = new KafkaConsumer<>(stack.kafkaAs(principal, Map.of("default.api.timeout.ms", 10000)),
                new StringDeserializer(), new StringDeserializer())) {
            var tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    if (!consumer.poll(Duration.ofMillis(500)).isEmpty()) {
                        return true;
                    }
                } catch (TopicAuthorizationException e) {
                    return false;
                }
            }
            throw new AssertionError(principal + " neither read nor was refused " + topic + " within 30 s");
        }
    }

    private static void subscribe(String principal, String topic, String group) {
        try (var consumer = new KafkaConsumer<>(stack.kafkaAs(principal, Map.of("group.id", group,
                "default.api.timeout.ms", 10000)), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
            }
            assertThat(consumer.assignment()).as("%s joined %s", principal, group).isNotEmpty();
        }
    }

    @Test
    void everyPrincipalOfTheTableHasAPassword() {
        List<String> missing = new ArrayList<>();
        table.all().forEach(p -> {
            if (!Secrets.KAFKA_PRINCIPALS.contains(p.service())) {
                missing.add(p.service());
            }
        });
        assertThat(missing).as("principals without a generated password").isEmpty();
    }
}
