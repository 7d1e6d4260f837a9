package dev.meridian.worker.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.finetune.FineTuneControl;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.common.kafka.BatchConsumer;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.UnprocessableRecord;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads every cancellation of the region ({@code <region>.finetune.control}, from the beginning) into a set the
 * running job checks before every step. Each worker must hear each cancellation, so each worker process consumes in a
 * consumer group of its own ({@code meridian-worker-cancels-<region>-<random>}; Kafka forgets an empty group's
 * offsets after its retention, 7 days by default). Consumed through the shared {@link BatchConsumer}: a failure
 * restarts it with a growing backoff (the set survives, and the group's committed offsets resume where it was), an
 * unreadable control message goes to {@code <region>.finetune.control.dlq}, and {@link #health} says whether it is
 * consuming.
 */
public final class CancelListener implements AutoCloseable {

    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private final ObjectMapper json;
    private final BatchConsumer<String, String> consumer;

    public CancelListener(KafkaConnection kafka, String region, ObjectMapper json) {
        this(kafka, region, json, BatchConsumer.Recovery.standard());
    }

    public CancelListener(KafkaConnection kafka, String region, ObjectMapper json, BatchConsumer.Recovery recovery) {
        this.json = json;
        Properties p = new Properties();
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false"); // the models service creates the topics
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000");
        this.consumer = BatchConsumer.eachRecord("finetune-cancels", kafka,
                "meridian-worker-cancels-" + region + "-" + UUID.randomUUID(), FineTuneTopics.control(region), p,
                recovery, this::handle);
    }

    public boolean isCancelled(String jobId) {
        return cancelled.contains(jobId);
    }

    /**
     * Whether cancellations are being heard now: consuming, with the control topic's partitions (all of them, in a group
     * of its own) assigned; a consumer that has not reached the broker yet has none.
     */
    public BatchConsumer.Health health() {
        var h = consumer.health();
        return h.consuming() && h.assignment().isEmpty()
                ? new BatchConsumer.Health(BatchConsumer.State.STARTING, h.since(), h.assignment(),
                        "no partition of the control topic assigned yet")
                : h;
    }

    void handle(ConsumerRecord<String, String> r) {
        FineTuneControl control;
        try {
            control = json.readValue(r.value(), FineTuneControl.class);
        } catch (Exception e) {
            throw new UnprocessableRecord("not a fine-tuning control message: " + e.getMessage());
        }
        if (control == null || control.action() == null || control.jobId() == null) {
            throw new UnprocessableRecord("a fine-tuning control message needs action and job_id");
        }
        if (FineTuneControl.CANCEL.equals(control.action())) {
            cancelled.add(control.jobId());
        }
    }

    @Override
    public void close() {
        consumer.close();
    }

    /** For tests and diagnostics: the jobs heard of as cancelled. */
    Set<String> cancelledJobs() {
        return Set.copyOf(cancelled);
    }
}
