package dev.meridian.inference.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.inference.runtime.RunRefused;
import dev.meridian.testing.TinyDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine on TinyDecoder: sampling, ends of sequences, batching, the KV budget and cancellation. */
class GenerationEngineTest {

    static final GenerationSettings SETTINGS = new GenerationSettings(64L * 1024 * 1024, 8, 16, true,
            GenerationSettings.JOIN_WAIT_STEPS);
    /** An eos id the counting model never writes, so that it counts on (…, z, </s>, a, b, …) until max_tokens. */
    static final List<Integer> NEVER = List.of(3);

    final List<GenerationEngine> engines = new ArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(GenerationEngine::close);
    }

    GenerationEngine engine(TinyDecoder decoder, List<Integer> eos, GenerationSettings settings) throws Exception {
        var e = TinyModels.engine(decoder, eos, settings);
        engines.add(e);
        return e;
    }

    /** What one choice produced. */
    record Result(List<Integer> tokens, String text, FinishReason reason, int generated) {
    }

    /** A sink that collects tokens and text, optionally pausing the engine on a token (to line up events). */
    static final class Collector implements GenerationEngine.TokenSink {
        final List<Integer> tokens = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<Result> done = new CompletableFuture<>();
        final CountDownLatch first = new CountDownLatch(1);
        final ChoiceText text;
        IntPredicate pauseAt = i -> false;
        /** When the first token and the end came (System.nanoTime, on the engine's thread). */
        volatile long firstAt;
        volatile long endAt;
        CountDownLatch resume = new CountDownLatch(0);

        Collector(GenerationEngine engine, long[] prompt, List<String> stops) {
            this.text = new ChoiceText(engine.tokenizer(), prompt, stops);
        }

        @Override
        public boolean token(int id) {
            tokens.add(id);
            if (tokens.size() == 1) {
                firstAt = System.nanoTime();
            }
            first.countDown();
            text.add(id);
            if (pauseAt.test(tokens.size())) {
                try {
                    resume.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return !text.stopped();
        }

        @Override
        public void finished(FinishReason reason, int generated) {
            endAt = System.nanoTime();
            text.flush();
            done.complete(new Result(List.copyOf(tokens), text.text(), reason, generated));
        }

        @Override
        public void failed(Throwable error) {
            done.completeExceptionally(error);
        }

        Result result() {
            return done.orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    Collector submit(GenerationEngine engine, String prompt, SamplingParams params, List<String> stops) {
        long[] ids = engine.tokenizer().encode(prompt);
        var c = new Collector(engine, ids, stops);
        engine.submit(List.of(new GenerationEngine.Choice(ids, params, c)));
        return c;
    }

    static SamplingParams sampled(long seed, int max) {
        return new SamplingParams(1.0, 0.9, 20, seed, max);
    }

    @Test
    void countingModelCountsAndMaxTokensEndsExactly() throws Exception {
        var engine = engine(TinyDecoder.counting(), List.of(TinyDecoder.EOS), SETTINGS);
        var r = submit(engine, "a b c", SamplingParams.greedy(3), List.of()).result();
        assertThat(r.text()).isEqualTo(" d e f");
        assertThat(r.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(r.generated()).isEqualTo(3);

        var toTheEnd = submit(engine, "w", SamplingParams.greedy(50), List.of()).result();
        assertThat(toTheEnd.text()).as("eos ends it, not shown").isEqualTo(" x y z");
        assertThat(toTheEnd.reason()).isEqualTo(FinishReason.STOP);
        assertThat(toTheEnd.generated()).as("x, y, z and </s>").isEqualTo(4);
    }

    @Test
    void aStopSequenceEndsTheTextJustBeforeIt() throws Exception {
        var engine = engine(TinyDecoder.counting(), List.of(TinyDecoder.EOS), SETTINGS);
        var r = submit(engine, "a b c", SamplingParams.greedy(20), List.of("g", "x y")).result();
        assertThat(r.text()).isEqualTo(" d e f ");
        assertThat(r.reason()).isEqualTo(FinishReason.STOP);
        assertThat(r.tokens()).as("generation stopped at the token that completed the stop sequence")
                .hasSize(4);

        var spanning = submit(engine, "s", SamplingParams.greedy(20), List.of("v w")).result();
        assertThat(spanning.text()).as("a stop sequence over two tokens").isEqualTo(" t u ");
        assertThat(spanning.reason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void seededSamplingRepeatsItselfAndOtherSeedsDiffer() throws Exception {
        var engine = engine(TinyDecoder.builder().build(), NEVER, SETTINGS);
        var first = submit(engine, "the cat sat", sampled(42, 24), List.of()).result().tokens();
        var again = submit(engine, "the cat sat", sampled(42, 24), List.of()).result().tokens();
        var other = submit(engine, "the cat sat", sampled(43, 24), List.of()).result().tokens();
        assertThat(first).hasSize(24).isEqualTo(again);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void concurrentSequencesShareDecodeStepsAndGetWhatTheyGetAlone() throws Exception {
        var engine = engine(TinyDecoder.builder().build(), NEVER, SETTINGS);
        List<String> prompts = List.of("the cat sat on the mat", "hello", "a b", "world the");
        List<List<Integer>> alone = new ArrayList<>();
        for (String p : prompts) {
            alone.add(submit(engine, p, SamplingParams.greedy(20), List.of()).result().tokens());
        }
        assertThat(engine.stats().largestBatch()).isEqualTo(1);

        long[] ids = engine.tokenizer().encode(prompts.get(0));
        var leader = new Collector(engine, ids, List.of());
        leader.pauseAt = n -> n == 3;
        leader.resume = new CountDownLatch(1);
        engine.submit(List.of(new GenerationEngine.Choice(ids, SamplingParams.greedy(20), leader)));
        leader.first.await(30, TimeUnit.SECONDS);
        // the leader is mid-generation (held at its third token): the others join its batch
        List<Collector> others = new ArrayList<>();
        for (String p : prompts.subList(1, prompts.size())) {
            others.add(submit(engine, p, SamplingParams.greedy(20), List.of()));
        }
        leader.resume.countDown();
        assertThat(leader.result().tokens()).isEqualTo(alone.get(0));
        for (int i = 0; i < others.size(); i++) {
            assertThat(others.get(i).result().tokens()).as(prompts.get(i + 1)).isEqualTo(alone.get(i + 1));
        }
        assertThat(engine.stats().largestBatch()).isEqualTo(prompts.size());
    }

    @Test
    void withoutContinuousBatchingNewSequencesWaitForTheBatchToEmpty() throws Exception {
        var engine = engine(TinyDecoder.builder().build(), NEVER, new GenerationSettings(64L * 1024 * 1024, 8, 16,
                false, GenerationSettings.JOIN_WAIT_STEPS));
        long[] ids = engine.tokenizer().encode("hello world");
        var leader = new Collector(engine, ids, List.of());
        leader.pauseAt = n -> n == 3;
        leader.resume = new CountDownLatch(1);
        engine.submit(List.of(new GenerationEngine.Choice(ids, SamplingParams.greedy(12), leader)));
        leader.first.await(30, TimeUnit.SECONDS);
        var b = submit(engine, "the cat", SamplingParams.greedy(12), List.of());
        var c = submit(engine, "sat on", SamplingParams.greedy(12), List.of());
        leader.resume.countDown();
        leader.result();
        b.result();
        c.result();
        assertThat(b.firstAt).as("b's first token after the leader ended").isGreaterThan(leader.endAt);
        assertThat(c.firstAt).as("c's first token after the leader ended").isGreaterThan(leader.endAt);
        assertThat(engine.stats().largestBatch()).as("b and c ran together, after the leader").isEqualTo(2);
    }

    @Test
    void aFullKvBudgetRefusesWith429UntilASequenceEnds() throws Exception {
        var decoder = TinyDecoder.counting();
        long perToken = TinyModels.spec(decoder, NEVER).kvBytesPerToken();
        // room for one sequence of 2 prompt tokens and 30 generated
        var engine = engine(decoder, NEVER, new GenerationSettings(32 * perToken, 8, 16, true,
                GenerationSettings.JOIN_WAIT_STEPS));
        long[] ids = engine.tokenizer().encode("a");
        var holder = new Collector(engine, ids, List.of());
        holder.pauseAt = n -> n == 2;
        holder.resume = new CountDownLatch(1);
        engine.submit(List.of(new GenerationEngine.Choice(ids, SamplingParams.greedy(30), holder)));
        holder.first.await(30, TimeUnit.SECONDS);
        assertThat(engine.stats().kvReservedBytes()).isEqualTo(32 * perToken);

        assertThatThrownBy(() -> submit(engine, "b", SamplingParams.greedy(5), List.of()))
                .isInstanceOfSatisfying(RunRefused.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.code()).isEqualTo("rate_limit_exceeded");
                    assertThat(e.retryAfter()).isPresent();
                    assertThat(e.getMessage()).contains("KV cache budget");
                });
        assertThatThrownBy(() -> submit(engine, "b", SamplingParams.greedy(100), List.of()))
                .as("a request larger than the whole budget")
                .isInstanceOfSatisfying(RunRefused.class, e -> assertThat(e.status()).isEqualTo(400));

        holder.resume.countDown();
        assertThat(holder.result().reason()).isEqualTo(FinishReason.LENGTH);
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().kvReservedBytes() == 0);
        assertThat(submit(engine, "b", SamplingParams.greedy(5), List.of()).result().text())
                .isEqualTo(" c d e f g");
    }

    @Test
    void cancellingFreesTheBatchSlotAndTheKvReservation() throws Exception {
        var engine = engine(TinyDecoder.counting(), NEVER, SETTINGS);
        long[] ids = engine.tokenizer().encode("a");
        var c = new Collector(engine, ids, List.of());
        var generation = engine.submit(List.of(new GenerationEngine.Choice(ids, SamplingParams.greedy(200), c)));
        c.first.await(30, TimeUnit.SECONDS);
        generation.cancel();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().running() == 0
                && engine.stats().kvReservedBytes() == 0);
        var r = c.result();
        assertThat(r.reason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(r.generated()).isLessThan(200);
        assertThat(engine.stats().cancelled()).isEqualTo(1);
    }

    @Test
    void gatheredJoinsAndSequencesLeavingMidBatchKeepEachSequencesGreedyTokens() throws Exception {
        var engine = engine(TinyDecoder.builder().build(), NEVER, new GenerationSettings(64L * 1024 * 1024, 8, 16,
                true, 3));
        List<String> prompts = List.of("the cat sat on the mat", "hello", "a b", "world the", "sat on the", "cat");
        List<Integer> lengths = List.of(24, 5, 11, 3, 16, 9);
        List<List<Integer>> alone = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            alone.add(submit(engine, prompts.get(i), SamplingParams.greedy(lengths.get(i)), List.of()).result()
                    .tokens());
        }

        long[] ids = engine.tokenizer().encode(prompts.get(0));
        var leader = new Collector(engine, ids, List.of());
        leader.pauseAt = n -> n == 2;
        leader.resume = new CountDownLatch(1);
        engine.submit(List.of(new GenerationEngine.Choice(ids, SamplingParams.greedy(lengths.get(0)), leader)));
        leader.first.await(30, TimeUnit.SECONDS);
        List<Collector> others = new ArrayList<>();
        // three join together; they end at different steps, leaving dead rows among the running ones
        for (int i = 1; i < 4; i++) {
            others.add(submit(engine, prompts.get(i), SamplingParams.greedy(lengths.get(i)), List.of()));
        }
        leader.resume.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> others.getFirst().done.isDone());
        // a short one has left: two more arrive one by one and wait to be gathered
        for (int i = 4; i < prompts.size(); i++) {
            others.add(submit(engine, prompts.get(i), SamplingParams.greedy(lengths.get(i)), List.of()));
        }
        assertThat(leader.result().tokens()).isEqualTo(alone.get(0));
        for (int i = 0; i < others.size(); i++) {
            assertThat(others.get(i).result().tokens()).as(prompts.get(i + 1)).isEqualTo(alone.get(i + 1));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().running() == 0
                && engine.stats().kvReservedBytes() == 0);
    }
}
