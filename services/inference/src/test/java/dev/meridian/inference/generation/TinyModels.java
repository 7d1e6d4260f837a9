package dev.meridian.inference.generation;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.meridian.common.models.GenerationSpec;
import dev.meridian.testing.TinyDecoder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** TinyDecoder sessions, specs and engines for the engine's tests. */
final class TinyModels {

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private TinyModels() {
    }

    /** The spec the registry would send for {@code decoder}; {@code eos} the ids that end generation. */
    static GenerationSpec spec(TinyDecoder decoder, List<Integer> eos) {
        return new GenerationSpec("tokenizer", "sha", TinyDecoder.CHAT_TEMPLATE, "<s>", "</s>", TinyDecoder.BOS, eos,
                TinyDecoder.PAD, decoder.maxPositions(), decoder.vocabularySize(), decoder.layers(), decoder.heads(),
                decoder.headDim(), true);
    }

    static OrtSession session(TinyDecoder decoder) throws Exception {
        return ENV.createSession(decoder.onnx(), new OrtSession.SessionOptions());
    }

    static TextTokenizer tokenizer(GenerationSpec spec) throws Exception {
        return TextTokenizer.of(new ByteArrayInputStream(TinyDecoder.tokenizerJson().getBytes(StandardCharsets.UTF_8)),
                spec);
    }

    static GenerationEngine engine(TinyDecoder decoder, List<Integer> eos, GenerationSettings settings)
            throws Exception {
        var spec = spec(decoder, eos);
        return new GenerationEngine("tiny", ENV, session(decoder), tokenizer(spec), spec, settings,
                new SimpleMeterRegistry());
    }
}
