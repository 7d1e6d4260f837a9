package dev.meridian.common.finetune;

import java.util.Optional;

/**
 * The name of a tuned model, {@code ft:<base>:<suffix>:<job-id>} (OpenAI's shape): the base model it was tuned from,
 * the tenant's suffix (may be empty) and the job that made it.
 */
public record FineTuneModelName(String baseModel, String suffix, String jobId) {

    public static final String PREFIX = "ft:";

    @Override
    public String toString() {
        return PREFIX + baseModel + ":" + suffix + ":" + jobId;
    }

    public static Optional<FineTuneModelName> parse(String name) {
        if (name == null || !name.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] parts = name.substring(PREFIX.length()).split(":", -1);
        if (parts.length != 3 || parts[0].isEmpty() || !parts[2].matches("ftjob-[A-Za-z0-9_-]{1,80}")) {
            return Optional.empty();
        }
        return Optional.of(new FineTuneModelName(parts[0], parts[1], parts[2]));
    }
}
