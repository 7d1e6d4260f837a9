package dev.meridian.worker.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.finetune.FineTuneControl;
import dev.meridian.common.finetune.FineTuneTopics;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads every cancellation of the region (all partitions of {@code <region>.finetune.control}, from the beginning,
 * no consumer group: each worker must hear each one) into a set the running job checks before every step.
 */
public final class CancelListener implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CancelListener.class.getName());

    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private final KafkaConsumer<String, String> consumer;
    private final String topic;
    private final ObjectMapper json;
    private final Thread thread;
    private volatile boolean running = true;

    public CancelListener(String bootstrap, String region, ObjectMapper json) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false"); // the models service creates the topics
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        this.topic = FineTuneTopics.control(region);
        this.json = json;
        this.thread = Thread.ofPlatform().name("finetune-cancels").daemon().start(this::run);
    }

    public boolean isCancelled(String jobId) {
        return cancelled.contains(jobId);
    }

    private void run() {
        try {
            while (running) {
                var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (partitions != null && !partitions.isEmpty()) {
                    var tps = partitions.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
                    consumer.assign(tps);
                    consumer.seekToBeginning(tps);
                    break;
                }
                Thread.sleep(500);
            }
            while (running) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        var control = json.readValue(r.value(), FineTuneControl.class);
                        if (FineTuneControl.CANCEL.equals(control.action())) {
                            cancelled.add(control.jobId());
                        }
                    } catch (Exception e) {
                        LOG.warning("unreadable control message at offset " + r.offset() + ": " + e.getMessage());
                    }
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.severe("cancel listener stopped: " + e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests and diagnostics: the jobs heard of as cancelled. */
    Set<String> cancelledJobs() {
        return Set.copyOf(cancelled);
    }
}
