package dev.meridian.inference.generation;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.meridian.common.models.GenerationSpec;
import dev.meridian.inference.runtime.RunRefused;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Generates tokens for one decoder model version with continuous batching: one scheduler thread owns the running
 * {@link DecodeBatch}; between decode steps it drops the sequences that ended or were cancelled, prefills waiting
 * ones and merges them in (or, with continuous batching off, only once the batch has emptied), then runs one step for
 * all and hands each sequence its next token. A sequence reserves its whole KV cache ((prompt + max_tokens) × bytes
 * per token) when it is submitted, so an accepted sequence never runs out of memory midway; what does not fit is
 * refused at once (429) rather than queued.
 * <p>
 * Independent of CDI: a benchmark builds one from a session, tokenizer, spec and {@link GenerationSettings}.
 */
public final class GenerationEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GenerationEngine.class);

    /** Receives one sequence's tokens, on the engine's thread: it must not block. */
    public interface TokenSink {
        /** A generated token that is not an end-of-sequence one; false ends the sequence (a stop sequence matched). */
        boolean token(int id);

        /** The sequence ended; {@code generated} counts every token it generated, an end-of-sequence one included. */
        void finished(FinishReason reason, int generated);

        /** The model failed on the sequence. */
        void failed(Throwable error);
    }

    /** One sequence to generate: a prompt's ids, how to pick tokens, where they go. */
    public record Choice(long[] prompt, SamplingParams params, TokenSink sink) {
    }

    /** The sequences of one submit; cancelling frees their batch slots and KV reservation before the next step. */
    public interface Generation {
        void cancel();
    }

    /**
     * What the engine does now and has done.
     *
     * @param running sequences in the batch
     * @param queued sequences waiting for a slot
     * @param kvReservedBytes KV cache reserved by running and waiting sequences
     * @param kvBudgetBytes the budget it comes out of
     * @param kvCacheBytes bytes the batch's cache tensors hold now
     * @param steps decode steps run
     * @param generatedTokens tokens generated
     * @param largestBatch the most sequences one decode step has run
     * @param cancelled sequences cancelled before they ended
     */
    public record Stats(int running, int queued, long kvReservedBytes, long kvBudgetBytes, long kvCacheBytes,
            long steps, long generatedTokens, int largestBatch, long cancelled) {
    }

    private final String name;
    private final OrtSession session;
    private final TextTokenizer tokenizer;
    private final GenerationSpec spec;
    private final GenerationSettings settings;
    private final Set<Long> eos;
    private final DecodeBatch batch;
    private final LinkedBlockingQueue<Sequence> waiting = new LinkedBlockingQueue<>();
    private final AtomicLong reserved = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong generated = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private volatile int running;
    private volatile int largestBatch;
    private volatile long cacheBytes;
    private volatile boolean closed;
    private final Thread scheduler;

    private final Counter tokens;
    private final Timer firstToken;
    private final DistributionSummary batchSize;
    private final MeterRegistry meters;

    /** One sequence's state; its fields other than {@link #cancelled} belong to the scheduler thread. */
    private static final class Sequence {
        final Choice choice;
        final Sampler sampler;
        final long reservedBytes;
        final long submittedNanos = System.nanoTime();
        volatile boolean cancelled;
        boolean done;
        int generated;
        DecodeBatch.Row row;

        Sequence(Choice choice, long reservedBytes) {
            this.choice = choice;
            this.sampler = new Sampler(choice.params());
            this.reservedBytes = reservedBytes;
        }
    }

    /**
     * An engine for one loaded decoder; it starts its scheduler thread at once.
     *
     * @param name how logs and the thread name it (no tenant content)
     * @param meters where it counts tokens, time to first token and batch sizes (meters shared by all engines:
     *        their labels name no model)
     */
    public GenerationEngine(String name, OrtEnvironment env, OrtSession session, TextTokenizer tokenizer,
            GenerationSpec spec, GenerationSettings settings, MeterRegistry meters) {
        this.name = name;
        this.session = session;
        this.tokenizer = tokenizer;
        this.spec = spec;
        this.settings = settings;
        this.meters = meters;
        this.eos = spec.eosTokenIds().stream().map(Integer::longValue).collect(Collectors.toUnmodifiableSet());
        this.batch = new DecodeBatch(env, session, spec);
        this.tokens = Counter.builder("meridian.generation.tokens").description("Tokens generated")
                .baseUnit("tokens").register(meters);
        this.firstToken = Timer.builder("meridian.generation.time.to.first.token")
                .description("From a sequence's submission to its first token").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(meters);
        this.batchSize = DistributionSummary.builder("meridian.generation.batch.size")
                .description("Sequences in one decode step").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64)
                .register(meters);
        this.scheduler = Thread.ofPlatform().name("generation-" + name).daemon().start(this::schedule);
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public GenerationSpec spec() {
        return spec;
    }

    public GenerationSettings settings() {
        return settings;
    }

    public Stats stats() {
        return new Stats(running, waiting.size(), reserved.get(), settings.kvBudgetBytes(), cacheBytes, steps.get(),
                generated.get(), largestBatch, cancelled.get());
    }

    /**
     * Queues the choices of one request, all or none.
     *
     * @throws RunRefused 429 when the KV budget or the queue has no room for them now, 400 when they need more KV
     *         cache than the whole budget, 503 when the engine is closed
     */
    public Generation submit(List<Choice> choices) {
        long perToken = spec.kvBytesPerToken();
        long needed = 0;
        for (Choice c : choices) {
            needed += (c.prompt().length + (long) c.params().maxTokens()) * perToken;
        }
        long budget = settings.kvBudgetBytes();
        if (needed > budget) {
            throw RunRefused.overKvBudget("This request needs " + needed + " bytes of KV cache (prompt plus"
                    + " max_tokens, times n, at " + perToken + " bytes per token), more than the model's whole"
                    + " budget of " + budget + " bytes; lower max_tokens or n.");
        }
        List<Sequence> sequences = new ArrayList<>(choices.size());
        synchronized (this) {
            if (closed) {
                throw RunRefused.overloaded("The model is being unloaded; retry.");
            }
            if (waiting.size() + choices.size() > settings.maxQueued()) {
                throw RunRefused.queueFull("The model has " + waiting.size() + " sequences waiting for a batch slot,"
                        + " as many as it may (" + settings.maxQueued() + "); retry shortly.");
            }
            long now = reserved.get();
            if (now + needed > budget) {
                throw RunRefused.kvBudgetFull("The model's KV cache budget is taken: " + now + " of " + budget
                        + " bytes reserved by running requests, this one needs " + needed + "; retry shortly, or"
                        + " lower max_tokens.");
            }
            reserved.addAndGet(needed);
            for (Choice c : choices) {
                sequences.add(new Sequence(c, (c.prompt().length + (long) c.params().maxTokens()) * perToken));
            }
            waiting.addAll(sequences);
        }
        return () -> sequences.forEach(s -> s.cancelled = true);
    }

    private void schedule() {
        List<Sequence> active = new ArrayList<>();
        while (!closed) {
            try {
                List<Sequence> keep = new ArrayList<>(active.size());
                for (Sequence s : active) {
                    if (s.cancelled && !s.done) {
                        end(s, FinishReason.CANCELLED);
                    }
                    if (!s.done) {
                        keep.add(s);
                    }
                }
                waiting.removeIf(s -> {
                    if (s.cancelled) {
                        end(s, FinishReason.CANCELLED);
                        return true;
                    }
                    return false;
                });
                if (keep.isEmpty() && !active.isEmpty()) {
                    // free the last rows' cache now rather than after the idle wait below
                    batch.close();
                    active = keep;
                    running = 0;
                    cacheBytes = 0;
                }
                List<Sequence> joining = new ArrayList<>();
                if (settings.continuousBatching() || keep.isEmpty()) {
                    while (keep.size() + joining.size() < settings.maxBatchSize()) {
                        Sequence s = keep.isEmpty() && joining.isEmpty() ? waiting.poll(1, TimeUnit.SECONDS)
                                : waiting.poll();
                        if (s == null) {
                            break;
                        }
                        if (prefill(s)) {
                            joining.add(s);
                        }
                    }
                }
                if (keep.size() != active.size() || !joining.isEmpty()) {
                    batch.regroup(keep.stream().map(s -> s.row).toList(), joining.stream().map(s -> s.row).toList());
                    keep.addAll(joining);
                    active = keep;
                    running = active.size();
                    cacheBytes = batch.cacheBytes();
                }
                if (!active.isEmpty()) {
                    step(active);
                }
            } catch (InterruptedException e) {
                break;
            } catch (Throwable t) {
                LOG.errorf(t, "generation on %s failed; ending its %d sequences", name, active.size());
                for (Sequence s : active) {
                    fail(s, t);
                }
                active = new ArrayList<>();
                batch.close();
                running = 0;
                cacheBytes = 0;
            }
        }
        for (Sequence s : active) {
            end(s, FinishReason.CANCELLED);
        }
        Sequence s;
        while ((s = waiting.poll()) != null) {
            end(s, FinishReason.CANCELLED);
        }
        batch.close();
        running = 0;
        cacheBytes = 0;
    }

    /** Runs the prompt and takes its first token; false when the sequence ended there (or failed). */
    private boolean prefill(Sequence s) {
        if (s.cancelled) {
            end(s, FinishReason.CANCELLED);
            return false;
        }
        try {
            DecodeBatch.Prefill p = batch.prefill(s.choice.prompt());
            s.row = p.row();
            accept(s, s.sampler.next(p.logits(), 0, p.logits().length));
            return !s.done;
        } catch (Throwable t) {
            fail(s, t);
            return false;
        }
    }

    private void step(List<Sequence> active) throws Exception {
        float[] logits = batch.step();
        steps.incrementAndGet();
        int b = active.size();
        batchSize.record(b);
        if (b > largestBatch) {
            largestBatch = b;
        }
        cacheBytes = batch.cacheBytes();
        int vocab = logits.length / b;
        for (int i = 0; i < b; i++) {
            Sequence s = active.get(i);
            if (!s.done) {
                accept(s, s.sampler.next(logits, i * vocab, vocab));
            }
        }
    }

    private void accept(Sequence s, int token) {
        s.generated++;
        generated.incrementAndGet();
        tokens.increment();
        if (s.generated == 1) {
            firstToken.record(System.nanoTime() - s.submittedNanos, TimeUnit.NANOSECONDS);
        }
        if (eos.contains((long) token)) {
            end(s, FinishReason.STOP);
            return;
        }
        boolean more;
        try {
            more = s.choice.sink().token(token);
        } catch (RuntimeException e) {
            fail(s, e);
            return;
        }
        if (!more) {
            end(s, FinishReason.STOP);
        } else if (s.generated >= s.choice.params().maxTokens()
                || s.choice.prompt().length + s.generated >= spec.maxContext()) {
            end(s, FinishReason.LENGTH);
        } else {
            s.row.next = token;
        }
    }

    private void end(Sequence s, FinishReason reason) {
        if (s.done) {
            return;
        }
        s.done = true;
        reserved.addAndGet(-s.reservedBytes);
        if (reason == FinishReason.CANCELLED) {
            cancelled.incrementAndGet();
        }
        meters.counter("meridian.generation.sequences", "outcome", reason.name().toLowerCase()).increment();
        try {
            s.choice.sink().finished(reason, s.generated);
        } catch (RuntimeException e) {
            LOG.warnf(e, "a sink of %s failed on finishing", name);
        }
    }

    private void fail(Sequence s, Throwable t) {
        if (s.done) {
            return;
        }
        s.done = true;
        reserved.addAndGet(-s.reservedBytes);
        meters.counter("meridian.generation.sequences", "outcome", "failed").increment();
        try {
            s.choice.sink().failed(t);
        } catch (RuntimeException e) {
            LOG.warnf(e, "a sink of %s failed on a failure", name);
        }
    }

    /**
     * Stops the scheduler: sequences running or waiting end as cancelled, the batch's cache is freed. The session
     * and tokenizer are closed too.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        scheduler.interrupt();
        try {
            scheduler.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            session.close();
        } catch (Exception e) {
            LOG.debugf("closing the session of %s: %s", name, e.getMessage());
        }
        tokenizer.close();
    }
}
