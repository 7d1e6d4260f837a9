package dev.meridian.common.finetune;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.UUID;

/**
 * An order for the workers, on {@code <region>.finetune.control} keyed by job id; every worker reads every one. Today
 * the only action is {@code cancel}: the worker running the job stops at its next step, and a worker that has not yet
 * started it never does.
 */
public record FineTuneControl(
        UUID id,
        String action,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String CANCEL = "cancel";
}
