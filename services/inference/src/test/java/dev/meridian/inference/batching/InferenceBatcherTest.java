package dev.meridian.inference.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.common.onnx.Tokens;
import dev.meridian.inference.batching.InferenceBatcher.Limits;
import dev.meridian.inference.batching.InferenceBatcher.Shape;
import dev.meridian.inference.runtime.RunRefused;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InferenceBatcherTest {

    private static final Shape<Tokens> TEXT = new Shape<>(Tokens::length, t -> "");

    /** A stand-in model that records each batch and answers each input's first token id as its "vector". */
    static final class RecordingModel {
        final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch firstCallStarted = new CountDownLatch(1);
        volatile CountDownLatch gate = new CountDownLatch(0);

        List<float[]> run(List<Tokens> batch) {
            firstCallStarted.countDown();
            try {
                gate.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            batchSizes.add(batch.size());
            List<float[]> out = new ArrayList<>();
            for (Tokens t : batch) {
                out.add(new float[] {t.ids()[0]});
            }
            return out;
        }
    }

    static Tokens tokens(int id, int length) {
        long[] ids = new long[length];
        ids[0] = id;
        return new Tokens(ids, new long[length], new long[length]);
    }

    @Test
    void requestsQueuedWhileTheModelIsBusyAreMergedAndAnsweredInOrder() throws Exception {
        var model = new RecordingModel();
        model.gate = new CountDownLatch(1);
        var batcher = new InferenceBatcher<>("m", model::run, TEXT, new Limits(32, Duration.ofMillis(1), 10_000));
        var first = batcher.submit(List.of(tokens(1, 4)));
        model.firstCallStarted.await(5, TimeUnit.SECONDS);
        List<CompletableFuture<List<float[]>>> queued = new ArrayList<>();
        for (int i = 2; i <= 11; i++) {
            queued.add(batcher.submit(List.of(tokens(i, 4))));
        }
        model.gate.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS).get(0)[0]).isEqualTo(1f);
        for (int i = 0; i < queued.size(); i++) {
            assertThat(queued.get(i).get(5, TimeUnit.SECONDS).get(0)[0]).isEqualTo(i + 2f);
        }
        assertThat(model.batchSizes).containsExactly(1, 10);
        assertThat(batcher.stats().snapshot().executionsByBatchSize()).containsEntry(10, 1L);
        batcher.close();
    }

    @Test
    void continuousBatchingRunsALoneRequestAtOnceAndWhatArrivesMeanwhileFillsTheNextCalls() throws Exception {
        var model = new RecordingModel();
        model.gate = new CountDownLatch(1);
        // no queue delay, the default: nothing waits for company
        var batcher = new InferenceBatcher<>("m", model::run, TEXT, new Limits(32, Duration.ZERO, 10_000));
        var lone = batcher.submit(List.of(tokens(1, 4)));
        assertThat(model.firstCallStarted.await(5, TimeUnit.SECONDS)).as("the idle model ran the lone request")
                .isTrue();
        // 64 callers arrive while that call runs: they form the next calls, as full as the limits allow
        List<CompletableFuture<List<float[]>>> meanwhile = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            meanwhile.add(batcher.submit(List.of(tokens(i + 2, 4))));
        }
        model.gate.countDown();

        assertThat(lone.get(5, TimeUnit.SECONDS).get(0)[0]).isEqualTo(1f);
        for (int i = 0; i < meanwhile.size(); i++) {
            assertThat(meanwhile.get(i).get(5, TimeUnit.SECONDS).get(0)[0]).isEqualTo(i + 2f);
        }
        assertThat(model.batchSizes).containsExactly(1, 32, 32);
        assertThat(batcher.queued()).isZero();
        batcher.close();
    }

    @Test
    void batchesRespectTheSizeAndTokenLimits() throws Exception {
        var model = new RecordingModel();
        model.gate = new CountDownLatch(1);
        // at most 4 inputs, at most 40 padded tokens
        var batcher = new InferenceBatcher<>("m", model::run, TEXT, new Limits(4, Duration.ofMillis(1), 40));
        batcher.submit(List.of(tokens(0, 4)));
        model.firstCallStarted.await(5, TimeUnit.SECONDS);
        List<CompletableFuture<List<float[]>>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(batcher.submit(List.of(tokens(i, 5))));   // 4 of these fit: 4 x 5 = 20 tokens
        }
        all.add(batcher.submit(List.of(tokens(99, 30))));     // joins nobody: 2 x 30 > 40
        model.gate.countDown();
        for (var f : all) {
            f.get(5, TimeUnit.SECONDS);
        }
        assertThat(model.batchSizes).allMatch(size -> size <= 4);
        assertThat(model.batchSizes).containsSubsequence(4, 2, 1);
        batcher.close();
    }

    @Test
    void aRequestLargerThanTheBatchLimitRunsInSlices() throws Exception {
        var model = new RecordingModel();
        var batcher = new InferenceBatcher<>("m", model::run, TEXT, new Limits(8, Duration.ofMillis(1), 10_000));
        List<Tokens> twenty = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            twenty.add(tokens(i, 3));
        }
        List<float[]> out = batcher.submit(twenty).get(5, TimeUnit.SECONDS);
        assertThat(out).hasSize(20);
        assertThat(out.get(19)[0]).isEqualTo(19f);
        assertThat(model.batchSizes).containsExactly(8, 8, 4);
        batcher.close();
    }

    @Test
    void aFailingModelCallFailsOnlyThatBatch() throws Exception {
        var batcher = new InferenceBatcher<Tokens, float[]>("m", batch -> {
            throw new IllegalStateException("boom");
        }, TEXT, new Limits(8, Duration.ofMillis(1), 10_000));
        var f = batcher.submit(List.of(tokens(1, 2)));
        assertThat(f).failsWithin(Duration.ofSeconds(5));
        batcher.close();
    }

    @Test
    void onlyItemsWithTheSameShapeKeyShareACall() throws Exception {
        List<List<Integer>> calls = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        var batcher = new InferenceBatcher<int[], Integer>("m", batch -> {
            started.countDown();
            try {
                gate.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            calls.add(batch.stream().map(x -> x[0]).toList());
            return batch.stream().map(x -> x[0] * 10).toList();
        }, new Shape<>(x -> 1, x -> x[1]), new Limits(16, Duration.ofMillis(1), Integer.MAX_VALUE));
        var first = batcher.submit(List.of(new int[] {0, 7}));
        started.await(5, TimeUnit.SECONDS);
        // Queued while the model is busy: keys 3, 3, 5, 5 arrive in that order.
        var a = batcher.submit(List.of(new int[] {1, 3}, new int[] {2, 3}));
        var b = batcher.submit(List.of(new int[] {3, 3}));
        var c = batcher.submit(List.of(new int[] {4, 5}));
        var d = batcher.submit(List.of(new int[] {5, 5}));
        gate.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS)).containsExactly(0);
        assertThat(a.get(5, TimeUnit.SECONDS)).containsExactly(10, 20);
        assertThat(b.get(5, TimeUnit.SECONDS)).containsExactly(30);
        assertThat(c.get(5, TimeUnit.SECONDS)).containsExactly(40);
        assertThat(d.get(5, TimeUnit.SECONDS)).containsExactly(50);
        assertThat(calls).containsExactly(List.of(0), List.of(1, 2, 3), List.of(4, 5));
        batcher.close();
    }

    @Test
    void closingLeavesNoCallerWaiting() throws Exception {
        var model = new RecordingModel();
        model.gate = new CountDownLatch(1);
        var batcher = new InferenceBatcher<>("m", model::run, TEXT, new Limits(2, Duration.ofMillis(1), 10_000));
        var running = batcher.submit(List.of(tokens(1, 4)));
        model.firstCallStarted.await(5, TimeUnit.SECONDS);
        List<CompletableFuture<List<float[]>>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(batcher.submit(List.of(tokens(i, 4))));
        }
        batcher.close();
        model.gate.countDown();
        assertThat(running.get(5, TimeUnit.SECONDS).get(0)[0]).isEqualTo(1f);
        for (var f : queued) {
            assertThat(f).failsWithin(Duration.ofSeconds(5));
        }
        assertThat(batcher.submit(List.of(tokens(9, 4)))).failsWithin(Duration.ofSeconds(1));
    }

    @Test
    void aFullQueueRefusesTheNextRequestWith503() throws Exception {
        var model = new RecordingModel();
        model.gate = new CountDownLatch(1);
        var batcher = new InferenceBatcher<>("m", model::run, TEXT, new Limits(1, Duration.ofMillis(1), 10_000, 2));
        var running = batcher.submit(List.of(tokens(1, 4)));
        model.firstCallStarted.await(5, TimeUnit.SECONDS);
        var waiting = List.of(batcher.submit(List.of(tokens(2, 4))), batcher.submit(List.of(tokens(3, 4))));
        assertThatThrownBy(() -> batcher.submit(List.of(tokens(4, 4))))
                .isInstanceOfSatisfying(RunRefused.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.retryAfter()).isPresent();
                    assertThat(e.getMessage()).contains("'m'").contains("2 requests waiting");
                });
        model.gate.countDown();
        assertThat(running.get(5, TimeUnit.SECONDS).get(0)[0]).isEqualTo(1f);
        for (var f : waiting) {
            assertThat(f.get(5, TimeUnit.SECONDS)).hasSize(1);
        }
        batcher.close();
    }

    @Test
    void manyBatchersShareAFixedPoolWithoutAThreadEach() throws Exception {
        var pool = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("shared-", 0).factory());
        try {
            List<InferenceBatcher<Tokens, float[]>> batchers = new ArrayList<>();
            List<CompletableFuture<List<float[]>>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                var batcher = new InferenceBatcher<>("v" + i, new RecordingModel()::run, TEXT,
                        new Limits(4, Duration.ofMillis(1), 10_000), pool);
                batchers.add(batcher);
                answers.add(batcher.submit(List.of(tokens(i, 2))));
            }
            for (int i = 0; i < 200; i++) {
                assertThat(answers.get(i).get(5, TimeUnit.SECONDS).get(0)[0]).isEqualTo(i);
            }
            // a batcher of its own would have a thread named for it ("batcher-v7"); other tests' threads do not count
            assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.matches("batcher-v\\d+"))).isEmpty();
            // a batcher that was idle serves again on the pool
            assertThat(batchers.get(7).submit(List.of(tokens(77, 2))).get(5, TimeUnit.SECONDS).get(0)[0])
                    .isEqualTo(77f);
            batchers.forEach(InferenceBatcher::close);
        } finally {
            pool.shutdownNow();
        }
    }
}
