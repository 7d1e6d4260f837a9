package dev.meridian.models.finetune.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings of files and fine-tuning in the models service ({@code meridian.models.finetune.*}). */
@ConfigMapping(prefix = "meridian.models.finetune")
public interface FineTuneConfig {

    /** Base models a job may tune: the encoder models of the inference catalog. */
    @WithDefault("all-minilm-l6-v2,all-minilm-l6-v2-q,bge-small-en-v1.5,bge-small-en-v1.5-q,bge-small-zh-v1.5-q")
    List<String> baseModels();

    /** Largest tuned model the registry takes from a job (the base model plus the head), in bytes. */
    @WithDefault("536870912")
    long maxModelBytes();

    /** Largest file accepted by {@code POST /v1/files}, in bytes. */
    @WithDefault("104857600")
    long maxFileBytes();

    Dataset dataset();

    Outbox outbox();

    /**
     * Kafka consumer group of the models service on {@code <region>.finetune.events}, suffixed with the region (read by
     * {@code mp.messaging.incoming.finetune-events.group.id}).
     */
    @WithDefault("meridian-models-finetune")
    String eventsGroup();

    /**
     * Longest transaction that registers a succeeded job's model (validation with a trial run, then the deployment and
     * the job's transition, under the job's row lock; a cancel of that job waits for it).
     */
    @WithDefault("5m")
    Duration registrationTimeout();

    Retention retention();

    /** How long this region keeps tenants' files and job events (docs/operations.md, "Data protection"). */
    interface Retention {

        /** Files are deleted this long after their upload, unless an unfinished job uses them; unset: until deleted. */
        Optional<Duration> files();

        /** A finished job's events are deleted this long after it ended; the job itself stays. */
        @WithDefault("400d")
        Duration jobEvents();

        /** How often the purge runs. */
        @WithDefault("1h")
        Duration interval();
    }

    /** How often the jobs are counted by status for {@code meridian_finetune_jobs{status}}. */
    @WithDefault("30s")
    Duration jobCountsInterval();

    interface Dataset {
        /** Fewest examples a training file must have. */
        @WithDefault("10")
        int minExamples();

        /** Fewest examples each label of a training file must have. */
        @WithDefault("3")
        int minExamplesPerLabel();

        /** Most distinct labels a classification head may have. */
        @WithDefault("1000")
        int maxLabels();

        /** Longest text of one example, in characters (the model truncates at its token limit anyway). */
        @WithDefault("20000")
        int maxTextChars();

        /**
         * Longest line of a JSONL file, in bytes (256 KiB: room for {@link #maxTextChars()} characters even when each
         * is written as a six-byte JSON escape). {@code POST /v1/files} refuses a file with a longer line (400 naming
         * it), and no reader holds more than one such line in memory.
         */
        @WithDefault("262144")
        int maxLineBytes();
    }

    interface Outbox {
        /** How often the relay looks for messages a commit-time publish missed (Kafka down, a crash). */
        @WithDefault("500ms")
        Duration pollInterval();

        /** Partitions of the fine-tuning topics the service creates when they are missing. */
        @WithDefault("3")
        int partitions();

        /** Replication factor of topics the service creates (1 on a single local broker). */
        @WithDefault("1")
        short replicationFactor();
    }
}
