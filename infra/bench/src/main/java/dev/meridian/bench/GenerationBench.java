package dev.meridian.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.meridian.common.models.GenerationSpec;
import dev.meridian.inference.generation.FinishReason;
import dev.meridian.inference.generation.GenerationEngine;
import dev.meridian.inference.generation.GenerationSettings;
import dev.meridian.inference.generation.SamplingParams;
import dev.meridian.inference.generation.TextTokenizer;
import dev.meridian.testing.TinyDecoder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Generation throughput and time to first token (issue #18), in one run on one model: a plain KV-cached greedy loop
 * on ONNX Runtime (one stream: the floor the engine's bookkeeping adds to), then the inference service's
 * {@link GenerationEngine} at 1, 8 and 32 concurrent streams, with continuous batching (as configured by default, and
 * with joiners gathered for up to 8 decode steps) and with static batching (a batch runs until its last sequence ends
 * before any waiting one joins).
 * <p>
 * Each stream is a closed loop of the same requests in both modes: prompts of 8–48 tokens, 16–128 new tokens each
 * (drawn from a fixed seed), greedy. The model's end-of-sequence id lies outside its vocabulary, so every request
 * generates exactly its {@code max_tokens} and both modes do the same work; what differs is how the work shares
 * decode steps. The decoder is {@link TinyDecoder}'s architecture at a larger size (6 layers, 8 heads of 64).
 */
public final class GenerationBench {

    static final int[] STREAMS = {1, 8, 32};
    static final int LAYERS = 6;
    static final int HEADS = 8;
    static final int HEAD_DIM = 64;
    static final int CONTEXT = 512;

    /** One request of a stream: its prompt and how many tokens it generates. */
    record Request(long[] prompt, int maxTokens) {
    }

    /** One measured configuration. */
    record Result(String what, int streams, long tokens, double seconds, long[] firstTokenNanos, double meanBatch) {
        double tokensPerSecond() {
            return tokens / seconds;
        }

        double ttftMillis(int percentile) {
            long[] sorted = firstTokenNanos.clone();
            Arrays.sort(sorted);
            int i = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
        }
    }

    public static void main(String[] args) throws Exception {
        int requestsPerStream = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int threads = Runtime.getRuntime().availableProcessors();
        System.out.printf("machine: %d cores, %s %s; decoder %d layers × %d heads × %d, vocabulary %d;"
                + " %d requests per stream%n", threads, System.getProperty("java.vm.name"),
                System.getProperty("java.version"), LAYERS, HEADS, HEAD_DIM, TinyDecoder.WORDS.size(),
                requestsPerStream);
        var decoder = TinyDecoder.builder().layers(LAYERS).heads(HEADS, HEAD_DIM).maxPositions(CONTEXT).build();
        // eos outside the vocabulary: every request generates exactly its max_tokens, in both batching modes
        var spec = new GenerationSpec("bench", "bench", null, null, null, null, List.of(1_000_000), TinyDecoder.PAD,
                CONTEXT, TinyDecoder.WORDS.size(), LAYERS, HEADS, HEAD_DIM, true);
        var env = OrtEnvironment.getEnvironment();
        var options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.addConfigEntry("session.intra_op.allow_spinning", "0"); // as the service does
        List<Result> results = new ArrayList<>();
        byte[] onnx = decoder.onnx();
        byte[] tokenizerJson = TinyDecoder.tokenizerJson().getBytes(StandardCharsets.UTF_8);
        try (OrtSession session = env.createSession(onnx, options)) {
            rawLoop(env, session, requests(0, requestsPerStream)); // warm-up
            results.add(rawLoop(env, session, requests(1, requestsPerStream)));
        }
        record Mode(String what, boolean continuous, int joinWaitSteps) {
        }
        List<Mode> modes = List.of(
                new Mode("engine, continuous batching", true, GenerationSettings.JOIN_WAIT_STEPS),
                new Mode("engine, continuous batching, joins gathered over 8 steps", true, 8),
                new Mode("engine, static batching", false, GenerationSettings.JOIN_WAIT_STEPS));
        for (int streams : STREAMS) {
            for (Mode mode : modes) {
                if (streams == 1 && mode != modes.getFirst()) {
                    continue; // one stream: nothing to batch, every mode is the same
                }
                var settings = new GenerationSettings(1L << 31, 32, 256, mode.continuous(), mode.joinWaitSteps());
                // the engine owns its session and tokenizer (it closes them): each configuration loads its own
                try (var engine = new GenerationEngine("bench", env, env.createSession(onnx, options),
                        TextTokenizer.of(new ByteArrayInputStream(tokenizerJson), spec), spec, settings,
                        new SimpleMeterRegistry())) {
                    engineRun(engine, 1, requestsPerStream, "warm-up");
                    results.add(engineRun(engine, streams, requestsPerStream, mode.what()));
                }
            }
        }
        print(results);
    }

    /** The requests of stream {@code stream}: the same for every configuration. */
    static List<Request> requests(int stream, int count) {
        var random = new SplittableRandom(18_000 + stream);
        List<Request> requests = new ArrayList<>();
        for (int r = 0; r < count; r++) {
            long[] prompt = new long[8 + random.nextInt(41)];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = TinyDecoder.FIRST_LETTER + random.nextInt(26);
            }
            requests.add(new Request(prompt, 16 + random.nextInt(113)));
        }
        return requests;
    }

    /** {@code streams} closed-loop callers, each sending its requests one after another. */
    static Result engineRun(GenerationEngine engine, int streams, int requestsPerStream, String what)
            throws Exception {
        var firstTokens = new ConcurrentLinkedQueue<Long>();
        long steps0 = engine.stats().steps();
        long tokens0 = engine.stats().generatedTokens();
        long start = System.nanoTime();
        List<CompletableFuture<Void>> callers = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            List<Request> mine = requests(s + 1, requestsPerStream);
            callers.add(CompletableFuture.runAsync(() -> {
                for (Request r : mine) {
                    firstTokens.add(generate(engine, r));
                }
            }, task -> Thread.ofPlatform().daemon().start(task)));
        }
        CompletableFuture.allOf(callers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        var stats = engine.stats();
        long tokens = stats.generatedTokens() - tokens0;
        long steps = stats.steps() - steps0;
        return new Result(what, streams, tokens, seconds, firstTokens.stream().mapToLong(Long::longValue).toArray(),
                steps == 0 ? 0 : (double) tokens / steps);
    }

    /** Submits one request and waits for its end; answers the nanoseconds to its first token. */
    static long generate(GenerationEngine engine, Request request) {
        var done = new CompletableFuture<Void>();
        long submitted = System.nanoTime();
        long[] first = {0};
        engine.submit(List.of(new GenerationEngine.Choice(request.prompt(), SamplingParams.greedy(request.maxTokens()),
                new GenerationEngine.TokenSink() {
                    @Override
                    public boolean token(int id) {
                        if (first[0] == 0) {
                            first[0] = System.nanoTime() - submitted;
                        }
                        return true;
                    }

                    @Override
                    public void finished(FinishReason reason, int generated) {
                        done.complete(null);
                    }

                    @Override
                    public void failed(Throwable error) {
                        done.completeExceptionally(error);
                    }
                })));
        done.join();
        return first[0];
    }

    /**
     * The floor: one stream's requests through a plain greedy loop that keeps ONNX Runtime's {@code present.*} as
     * the next step's {@code past_key_values.*}, with no scheduler, no queue and no sampler.
     */
    static Result rawLoop(OrtEnvironment env, OrtSession session, List<Request> requests) throws OrtException {
        long tokens = 0;
        long[] firstTokens = new long[requests.size()];
        long start = System.nanoTime();
        for (int r = 0; r < requests.size(); r++) {
            Request request = requests.get(r);
            long submitted = System.nanoTime();
            Map<String, OnnxTensor> past = new HashMap<>();
            for (int l = 0; l < LAYERS; l++) {
                for (String kv : List.of("key", "value")) {
                    past.put("past_key_values." + l + "." + kv, OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
                            new long[] {1, HEADS, 0, HEAD_DIM}));
                }
            }
            long[] step = request.prompt();
            int length = 0;
            List<OrtSession.Result> held = new ArrayList<>();
            for (int t = 0; t < request.maxTokens(); t++) {
                long[] positions = new long[step.length];
                for (int i = 0; i < step.length; i++) {
                    positions[i] = length + i;
                }
                long[] mask = new long[length + step.length];
                Arrays.fill(mask, 1);
                Map<String, OnnxTensor> inputs = new HashMap<>(past);
                try (var ids = OnnxTensor.createTensor(env, LongBuffer.wrap(step), new long[] {1, step.length});
                        var pos = OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {1, step.length});
                        var att = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, mask.length})) {
                    inputs.put("input_ids", ids);
                    inputs.put("position_ids", pos);
                    inputs.put("attention_mask", att);
                    OrtSession.Result out = session.run(inputs);
                    FloatBuffer logits = ((OnnxTensor) out.get("logits").orElseThrow()).getFloatBuffer();
                    int vocab = TinyDecoder.WORDS.size();
                    int base = (step.length - 1) * vocab;
                    int best = 0;
                    for (int v = 1; v < vocab; v++) {
                        if (logits.get(base + v) > logits.get(base + best)) {
                            best = v;
                        }
                    }
                    if (t == 0) {
                        firstTokens[r] = System.nanoTime() - submitted;
                    }
                    tokens++;
                    length += step.length;
                    step = new long[] {best};
                    for (var previous : held) {
                        previous.close();
                    }
                    held.clear();
                    if (t == 0) {
                        past.values().forEach(OnnxTensor::close);
                    }
                    held.add(out);
                    for (int l = 0; l < LAYERS; l++) {
                        for (String kv : List.of("key", "value")) {
                            past.put("past_key_values." + l + "." + kv,
                                    (OnnxTensor) out.get("present." + l + "." + kv).orElseThrow());
                        }
                    }
                }
            }
            held.forEach(OrtSession.Result::close);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result("plain ONNX Runtime loop (no engine)", 1, tokens, seconds, firstTokens, 1);
    }

    static void print(List<Result> results) {
        System.out.println();
        System.out.println("| what | streams | tokens | tokens/s | TTFT p50 ms | TTFT p99 ms | mean batch |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Result r : results) {
            System.out.printf("| %s | %d | %d | %.0f | %.1f | %.1f | %.1f |%n", r.what(), r.streams(), r.tokens(),
                    r.tokensPerSecond(), r.ttftMillis(50), r.ttftMillis(99), r.meanBatch());
        }
        System.out.println();
        Result raw = results.getFirst();
        for (int streams : STREAMS) {
            Result continuous = find(results, streams, "continuous");
            Result statik = find(results, streams, "static");
            if (continuous != null && statik != null) {
                System.out.printf("%d streams: continuous / static batching = %.2f× tokens/s, TTFT p50 %.1f vs %.1f"
                        + " ms%n", streams, continuous.tokensPerSecond() / statik.tokensPerSecond(),
                        continuous.ttftMillis(50), statik.ttftMillis(50));
            }
            if (continuous != null) {
                System.out.printf("%d streams: engine / plain loop = %.2f× tokens/s%n", streams,
                        continuous.tokensPerSecond() / raw.tokensPerSecond());
            }
        }
    }

    private static Result find(List<Result> results, int streams, String mode) {
        return results.stream().filter(r -> r.streams() == streams && r.what().endsWith(mode + " batching"))
                .findFirst()
                .orElse(null);
    }
}
