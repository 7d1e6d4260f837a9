package dev.meridian.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.UUID;

/**
 * An event on a region's {@code <region>.models.changes} topic (keyed by tenant id): a tenant model version was
 * deployed, undeployed or deleted, or a whole model was deleted. Inference services drop what they cached for that
 * model when they read it. Published through the models service's outbox; consumers must be idempotent by
 * {@code id}. Identifiers only, never model content.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelChange(
        UUID id,
        String type,
        @JsonProperty("tenant_id") UUID tenantId,
        String model,
        Integer version,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String VERSION_DEPLOYED = "model_version.deployed";
    public static final String VERSION_UNDEPLOYED = "model_version.undeployed";
    public static final String VERSION_DELETED = "model_version.deleted";
    public static final String MODEL_DELETED = "model.deleted";

    /** The topic of a region's model changes, e.g. {@code eu-central.models.changes}. */
    public static String topic(String region) {
        return region + ".models.changes";
    }
}
