package dev.meridian.worker.training;

import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.finetune.FineTuneEvent;

/** Where a run reports: the events topic of its region and the usage topic. */
public interface EventSink {

    /** Sends an event; with {@code durable} it returns only once the broker has acknowledged it. */
    void send(FineTuneEvent event, boolean durable);

    /** Sends a usage event and waits for the broker's acknowledgement. */
    void usage(UsageEvent event);
}
