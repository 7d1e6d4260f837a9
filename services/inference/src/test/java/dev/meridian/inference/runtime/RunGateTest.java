package dev.meridian.inference.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RunGateTest {

    @Test
    void callsBeyondTheSizeWaitSoNoMoreThanThatManyOverlap() throws Exception {
        var gate = new RunGate(2);
        var running = new AtomicInteger();
        var most = new AtomicInteger();
        var arrived = new AtomicInteger();
        var leave = new CountDownLatch(1);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        try (var pool = Executors.newFixedThreadPool(8, task -> {
            var thread = new Thread(task);
            threads.add(thread);
            return thread;
        })) {
            try {
                List<Future<Integer>> calls = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    int n = i;
                    calls.add(pool.submit(() -> {
                        arrived.incrementAndGet();
                        return gate.run(() -> {
                            most.accumulateAndGet(running.incrementAndGet(), Math::max);
                            holdUntil(leave);
                            running.decrementAndGet();
                            return n;
                        });
                    }));
                }
                // Every pool thread has come to the gate and is parked: two inside, held by the test, six at the
                // gate. Nothing can move until the test lets the two go, so this is the gate's doing, not timing.
                await("eight calls at the gate, all parked").atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> arrived.get() == 8 && threads.size() == 8
                                && threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
                assertThat(running.get()).as("calls inside a full gate of 2").isEqualTo(2);

                leave.countDown();
                for (int i = 0; i < calls.size(); i++) {
                    assertThat(calls.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
                }
            } finally {
                leave.countDown(); // never leave the pool's close waiting on held calls
            }
        }
        assertThat(most.get()).isEqualTo(2);
    }

    @Test
    void aFailingCallGivesItsSlotBack() throws Exception {
        var gate = new RunGate(1);
        assertThatThrownBy(() -> gate.run(() -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(gate.run(() -> "next")).isEqualTo("next");
    }

    /** Holds the calling model call inside the gate until the test opens {@code latch}. */
    private static void holdUntil(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while held in the gate", e);
        }
    }
}
