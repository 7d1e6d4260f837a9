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
 * {@link DecodeBatch}; between decode steps it retires the sequences that ended or were cancelled (their rows stay
 * as dead rows, so that leaving copies nothing), prefills waiting ones together and merges them in, then runs one
 * step for all and hands each sequence its next token. Merging copies the whole cache, so it is done when it pays:
 * when the batch is empty, when the joiners are many enough, or when one has waited
 * {@link GenerationSettings#joinWaitSteps} steps (with continuous batching off, only once the batch has emptied);
 * dead rows are dropped then, or once they are half the batch. A sequence reserves its whole KV cache ((prompt + max_tokens) × bytes
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
     * @param running sequences in the batch that have not ended
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
        final long submittedStep;
        volatile boolean cancelled;
        boolean done;
        int generated;
        DecodeBatch.Row row;

        Sequence(Choice choice, long reservedBytes, long submittedStep) {
            this.choice = choice;
            this.submittedStep = submittedStep;
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
                sequences.add(new Sequence(c, (c.prompt().length + (long) c.params().maxTokens()) * perToken,
                        steps.get()));
            }
            waiting.addAll(sequences);
        }
        return () -> sequences.forEach(s -> s.cancelled = true);
    }

    private void schedule() {
        // the batch's rows in order, dead ones (ended, not yet dropped) included
        List<Sequence> active = new ArrayList<>();
        while (!closed) {
            List<Sequence> joining = new ArrayList<>();
            try {
                int live = 0;
                for (Sequence s : active) {
                    if (s.cancelled && !s.done) {
                        end(s, FinishReason.CANCELLED);
                    }
                    if (!s.done) {
                        live++;
                    }
                }
                waiting.removeIf(s -> {
                    if (s.cancelled) {
                        end(s, FinishReason.CANCELLED);
                        return true;
                    }
                    return false;
                });
                if (live == 0 && !active.isEmpty()) {
                    batch.clear();
                    active = new ArrayList<>();
                    cacheBytes = 0;
                }
                running = live;
                if (active.isEmpty() || settings.continuousBatching() && worthJoining(live)) {
                    List<Sequence> taken = take(settings.maxBatchSize() - live, active.isEmpty());
                    if (active.isEmpty() && taken.isEmpty()) {
                        batch.close(); // idle: let the cache buffers go
                    }
                    while (!taken.isEmpty()) {
                        joining.addAll(prefill(taken));
                        // with continuous batching, those that arrived while the others prefilled join too; static
                        // batching takes what waited when the batch emptied
                        taken = settings.continuousBatching()
                                ? take(settings.maxBatchSize() - live - joining.size(), false) : List.of();
                    }
                }
                int dead = active.size() - live;
                if (!joining.isEmpty() || dead > 0 && (2 * dead > active.size()
                        || batch.width() >= spec.maxContext() - 1)) {
                    // dead rows are dropped here; until then they cost a row's compute per step, not a copy
                    List<Sequence> keep = new ArrayList<>(live + joining.size());
                    for (Sequence s : active) {
                        if (!s.done) {
                            keep.add(s);
                        }
                    }
                    batch.regroup(keep.stream().map(s -> s.row).toList(), joining.stream().map(s -> s.row).toList());
                    keep.addAll(joining);
                    active = keep;
                    live = keep.size();
                    running = live;
                    cacheBytes = batch.cacheBytes();
                }
                if (live > 0) {
                    step(active, live);
                }
            } catch (InterruptedException e) {
                break;
            } catch (Throwable t) {
                LOG.errorf(t, "generation on %s failed; ending its %d sequences", name,
                        active.size() + joining.size());
                for (Sequence s : active) {
                    fail(s, t);
                }
                for (Sequence s : joining) {
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

    /** Up to {@code room} waiting sequences, waiting a while for the first when {@code idle}. */
    private List<Sequence> take(int room, boolean idle) throws InterruptedException {
        List<Sequence> taken = new ArrayList<>();
        while (taken.size() < room) {
            Sequence s = idle && taken.isEmpty() ? waiting.poll(1, TimeUnit.SECONDS) : waiting.poll();
            if (s == null) {
                break;
            }
            if (s.cancelled) {
                end(s, FinishReason.CANCELLED);
            } else {
                taken.add(s);
            }
        }
        return taken;
    }

    /**
     * Whether waiting sequences should join the running batch now. A join copies every running row's cache, so
     * joiners are gathered: they join at once when they fill at least a quarter of the free slots and match a quarter
     * of the running rows, else when the oldest has waited {@link GenerationSettings#joinWaitSteps} decode steps.
     */
    private boolean worthJoining(int live) {
        int free = settings.maxBatchSize() - live;
        Sequence oldest = waiting.peek();
        if (free <= 0 || oldest == null) {
            return false;
        }
        int joinable = Math.min(free, waiting.size());
        return 4 * joinable >= Math.max(free, live) || steps.get() - oldest.submittedStep >= settings.joinWaitSteps();
    }

    /** Runs the prompts together and takes their first tokens; answers the sequences that go on (not ended). */
    private List<Sequence> prefill(List<Sequence> taken) {
        List<Sequence> joining = new ArrayList<>(taken.size());
        if (taken.isEmpty()) {
            return joining;
        }
        List<DecodeBatch.Prefill> prefills;
        try {
            prefills = batch.prefill(taken.stream().map(s -> s.choice.prompt()).toList());
        } catch (Throwable t) {
            if (taken.size() == 1) {
                fail(taken.getFirst(), t);
                return joining;
            }
            // one prompt may be what failed: run them alone, so that only it fails
            for (Sequence s : taken) {
                joining.addAll(prefill(List.of(s)));
            }
            return joining;
        }
        for (int i = 0; i < taken.size(); i++) {
            Sequence s = taken.get(i);
            DecodeBatch.Prefill p = prefills.get(i);
            s.row = p.row();
            accept(s, s.sampler.next(p.logits(), 0, p.logits().length));
            if (!s.done) {
                joining.add(s);
            }
        }
        return joining;
    }

    private void step(List<Sequence> active, int live) throws Exception {
        float[] logits = batch.step();
        steps.incrementAndGet();
        batchSize.record(live);
        if (live > largestBatch) {
            largestBatch = live;
        }
        cacheBytes = batch.cacheBytes();
        int b = active.size();
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
        retire(s);
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

    /** An ended sequence's row stays in the batch as a dead row until the next regroup; it no longer runs. */
    private void retire(Sequence s) {
        if (s.row != null) {
            s.row.dead = true;
        }
    }

    private void fail(Sequence s, Throwable t) {
        if (s.done) {
            return;
        }
        s.done = true;
        retire(s);
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
