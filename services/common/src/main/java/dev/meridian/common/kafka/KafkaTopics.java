package dev.meridian.common.kafka;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics a service writes or reads when the broker does not have them (brokers may not auto-create). */
public final class KafkaTopics {

    private KafkaTopics() {
    }

    /** Creates each missing topic; one that another process created meanwhile is fine. */
    public static void ensure(String bootstrap, Set<String> names, int partitions, short replicationFactor) {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap,
                "request.timeout.ms", 3000, "default.api.timeout.ms", 5000))) {
            for (String topic : names) {
                try {
                    admin.createTopics(Set.of(new NewTopic(topic, partitions, replicationFactor)))
                            .all().get(5, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic + ": " + e.getMessage(), e);
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("Kafka at " + bootstrap + " does not answer", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
