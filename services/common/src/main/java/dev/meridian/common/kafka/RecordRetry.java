package dev.meridian.common.kafka;

import io.smallrye.faulttolerance.api.Guard;
import java.time.temporal.ChronoUnit;

/**
 * How a Kafka record handler retries a failure: in place and without limit, after 1 s doubling up to 30 s, so that its
 * partition waits instead of losing the record; it gives up at once on {@link UnprocessableRecord}, which the
 * channel's {@code failure-strategy=dead-letter-queue} moves to the dead-letter topic. A service produces it once
 * ({@code @Produces @Identifier(RecordRetry.GUARD) static final Guard RETRY = RecordRetry.guard();}) and each
 * {@code @Incoming} handler applies it ({@code @ApplyGuard(RecordRetry.GUARD)}).
 */
public final class RecordRetry {

    /** The guard's CDI identifier. */
    public static final String GUARD = "kafka-record-retry";

    private RecordRetry() {
    }

    public static Guard guard() {
        return Guard.create().withDescription(GUARD)
                .withRetry().maxRetries(-1).delay(1, ChronoUnit.SECONDS).maxDuration(0, ChronoUnit.MILLIS)
                .abortOn(UnprocessableRecord.class)
                .withExponentialBackoff().maxDelay(30, ChronoUnit.SECONDS).done()
                .done().build();
    }
}
