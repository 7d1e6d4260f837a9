package dev.meridian.common.kafka;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether a Kafka consumer's handler applies its records or keeps failing on one, for a readiness check. Handlers
 * retry a transient failure in place (SmallRye Fault Tolerance's {@code @Retry} on the {@code @Incoming} method), so
 * the record is neither acknowledged nor failed meanwhile: the messaging extension's own health checks see the broker
 * and a failed channel, not a handler that is being retried, and this is the one thing they cannot say.
 */
public final class HandlerHealth {

    /** Failing since {@code since}, the last time because of {@code problem}. */
    public record Failing(Instant since, String problem) {
    }

    private final AtomicReference<Failing> failing = new AtomicReference<>();

    /** A record was applied (or declared unprocessable and moved aside): the handler is not stuck. */
    public void applied() {
        failing.set(null);
    }

    /** Applying a record failed and it is going to be retried. */
    public void failed(Throwable why) {
        failing.getAndUpdate(f -> new Failing(f == null ? Instant.now() : f.since(), why.toString()));
    }

    /** Why the handler is not applying records now, if it is not. */
    public Optional<Failing> failing() {
        return Optional.ofNullable(failing.get());
    }
}
