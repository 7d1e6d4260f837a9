package dev.meridian.inference.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.meridian.testing.OnnxModels;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pool tenant models run on, with a real ONNX Runtime session of a model whose work depends on its input. */
class TenantRunsTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private OrtSession loop;
    private TenantRuns runs;

    @BeforeEach
    void open() throws Exception {
        try (var options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            loop = ENV.createSession(OnnxModels.loopsFromInput(), options);
        }
    }

    @AfterEach
    void close() throws Exception {
        if (runs != null) {
            runs.close();
        }
        loop.close();
    }

    /** Runs the loop model {@code trips} times round; answers the count it reached. */
    private long loop(long trips, OrtSession.RunOptions options) throws Exception {
        try (OnnxTensor x = OnnxTensor.createTensor(ENV, trips);
                var result = loop.run(Map.of("x", x), options)) {
            return (long) result.get(0).getValue();
        }
    }

    @Test
    void aCallPastTheTimeLimitIsStoppedAndItsThreadRunsTheNextCall() throws Exception {
        runs = new TenantRuns(1, 4, 4, Duration.ofMillis(300));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> runs.run("model 'spinner' version 1", o -> loop(1_000_000_000_000_000L, o)))
                .isInstanceOfSatisfying(RunRefused.class, e -> {
                    assertThat(e.status()).isEqualTo(504);
                    assertThat(e.getMessage()).contains("'spinner'").contains("300 ms")
                            .contains("meridian.inference.tenant-models.runs.time-limit");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        // the one thread is free again: a call that fits the limit runs, and its time is measured
        var timed = runs.run("model 'spinner' version 1", o -> loop(3, o));
        assertThat(timed.value()).isEqualTo(3);
        assertThat(timed.runNanos()).isPositive();
        assertThat(TenantRuns.meteredMillis(timed.runNanos())).isGreaterThanOrEqualTo(1);
        assertThat(runs.stats().stoppedAtTimeLimit()).isEqualTo(1);
        assertThat(runs.stats().completed()).isEqualTo(1);
    }

    @Test
    void whenEveryThreadIsBusyAndTheQueueFullTheNextCallIs503WithRetryAfter() throws Exception {
        runs = new TenantRuns(1, 1, 10, Duration.ofSeconds(30));
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        var running = CompletableFuture.runAsync(() -> call(() -> runs.run("busy", o -> {
            started.countDown();
            return release.await(10, TimeUnit.SECONDS);
        })));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        var queued = CompletableFuture.runAsync(() -> call(() -> runs.run("queued", o -> true)));
        await().atMost(Duration.ofSeconds(5)).until(() -> runs.stats().queued() == 1);
        assertThatThrownBy(() -> runs.run("one too many", o -> true)).isInstanceOfSatisfying(RunRefused.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.retryAfter()).isPresent();
            assertThat(e.getMessage()).contains("max-queued");
        });
        release.countDown();
        running.get(5, TimeUnit.SECONDS);
        queued.get(5, TimeUnit.SECONDS);
        assertThat(runs.stats().refused()).isEqualTo(1);
    }

    @Test
    void aTenantPastItsShareIs429AndOthersStillGetIn() {
        runs = new TenantRuns(1, 4, 2, Duration.ofSeconds(1));
        UUID greedy = UUID.randomUUID();
        var first = runs.admit(greedy);
        var second = runs.admit(greedy);
        assertThatThrownBy(() -> runs.admit(greedy)).isInstanceOfSatisfying(RunRefused.class,
                e -> assertThat(e.status()).isEqualTo(429));
        runs.admit(UUID.randomUUID()).close();
        first.close();
        runs.admit(greedy).close();
        second.close();
        second.close(); // closing twice gives back one place only
        assertThat(runs.tenantsWithCalls()).as("no entry stays for a tenant without calls").isZero();
    }

    private interface Body {
        Object run() throws Exception;
    }

    private static void call(Body body) {
        try {
            body.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
