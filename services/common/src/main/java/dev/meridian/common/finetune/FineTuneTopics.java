package dev.meridian.common.finetune;

/**
 * The Kafka topics of fine-tuning, one set per region ({@code eu-central.finetune.jobs}, ...). Jobs and events are
 * keyed by job id, so everything about one job stays in order on one partition.
 */
public final class FineTuneTopics {

    private FineTuneTopics() {
    }

    /** Jobs to run: models service (outbox) → workers of one consumer group. */
    public static String jobs(String region) {
        return region + ".finetune.jobs";
    }

    /** Progress, metrics, checkpoints and outcomes: workers → models service. */
    public static String events(String region) {
        return region + ".finetune.events";
    }

    /** Cancellations: models service (outbox) → every worker of the region (no consumer group). */
    public static String control(String region) {
        return region + ".finetune.control";
    }
}
