package dev.meridian.common.kafka;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics a service writes or reads when the broker does not have them (brokers may not auto-create). */
public final class KafkaTopics {

    private KafkaTopics() {
    }

    /** Suffix of a topic's dead-letter topic: {@code <topic>.dlq}. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    /**
     * The dead-letter topic of {@code topic}: where its consumers put the records they can never apply (a
     * {@link UnprocessableRecord}), with why in the record headers, so that one bad record does not block its
     * partition. Operators read it to repair or drop what is there; nothing consumes it automatically.
     */
    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }

    /**
     * For a consumer about to subscribe: creates {@code topic} when missing, so that subscribing does not wait for its
     * first producer; if Kafka is not up yet, warns and returns (the consumer finds the topic once it exists).
     */
    public static void ensureForConsumer(KafkaConnection kafka, String topic, int partitions, short replicationFactor) {
        try {
            ensure(kafka, Set.of(topic), partitions, replicationFactor);
        } catch (RuntimeException e) {
            Logger.getLogger(KafkaTopics.class.getName()).warning("cannot create " + topic + " yet ("
                    + e.getMessage() + "); consuming it once it exists");
        }
    }

    /** Creates each missing topic; one that another process created meanwhile is fine. */
    public static void ensure(KafkaConnection kafka, Set<String> names, int partitions, short replicationFactor) {
        ensure(kafka, names, Optional.of(partitions), Optional.of(replicationFactor));
    }

    /** As {@link #ensure(KafkaConnection, Set, int, short)}, with the broker's default partitions and replication. */
    public static void ensureWithBrokerDefaults(KafkaConnection kafka, String topic) {
        ensure(kafka, Set.of(topic), Optional.empty(), Optional.empty());
    }

    private static void ensure(KafkaConnection kafka, Set<String> names, Optional<Integer> partitions,
            Optional<Short> replicationFactor) {
        try (Admin admin = Admin.create(kafka.with(Map.of("request.timeout.ms", 3000,
                "default.api.timeout.ms", 5000)))) {
            for (String topic : names) {
                try {
                    admin.createTopics(Set.of(new NewTopic(topic, partitions, replicationFactor)))
                            .all().get(5, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic + ": " + e.getMessage(), e);
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("Kafka at " + kafka + " does not answer", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
