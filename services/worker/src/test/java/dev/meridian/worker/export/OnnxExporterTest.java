package dev.meridian.worker.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.onnx.EmbeddingPooling;
import dev.meridian.common.onnx.OnnxRuntime;
import dev.meridian.worker.training.Backbone;
import dev.meridian.worker.training.BaseModels;
import dev.meridian.worker.training.ClassifierHead;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The exported model, run by ONNX Runtime, gives the probabilities the Java head computes on the backbone's vectors. */
class OnnxExporterTest {

    private static final OnnxRuntime ORT = OnnxRuntime.start("cpu", 2, "execution provider");

    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2", "bge-small-en-v1.5-q"}) // mean pooling, CLS pooling
    void exportedModelMatchesTheJavaHead(String base) throws Exception {
        var spec = BaseModels.find(base).orElseThrow();
        List<String> labels = List.of("negative", "neutral", "positive");
        try (var backbone = new Backbone(spec, ORT.env(), ORT.sessionOptions())) {
            var head = new ClassifierHead(384, labels.size(), new Random(7));
            for (int i = 0; i < head.w.length; i++) {
                head.w[i] *= 40; // spread the probabilities so a wrong pooling or layout shows
            }
            head.b[1] = 0.3f;
            byte[] model = OnnxExporter.export(backbone.onnx(), backbone.hiddenOutput(), spec.pooling(), head.w,
                    head.b, labels, Map.of(OnnxExporter.BASE_MODEL_KEY, base));
            var texts = List.of("a short one", "a much longer sentence, so that the batch has padding in it",
                    "terrible service, never again");
            var tokens = texts.stream().map(backbone::tokenize).toList();
            float[][] vectors = backbone.embed(tokens);
            // the pooled graph the embedding pass runs gives the vectors the inference service's pooling gives
            float[][][] hidden = backbone.hidden(tokens);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(vectors[i]).containsExactly(EmbeddingPooling.embed(spec.pooling(), hidden[i],
                        tokens.get(i).mask()),
                        org.assertj.core.data.Offset.offset(1e-5f));
            }
            try (var session = ORT.env().createSession(model, ORT.sessionOptions())) {
                assertThat(session.getOutputNames()).containsExactly(OnnxExporter.OUTPUT);
                assertThat(session.getMetadata().getCustomMetadata())
                        .containsEntry(OnnxExporter.LABELS_KEY, "[\"negative\",\"neutral\",\"positive\"]")
                        .containsEntry(OnnxExporter.BASE_MODEL_KEY, base);
                try (var inputs = backbone.inputs(tokens); var result = session.run(inputs.inputs())) {
                    float[][] p = (float[][]) result.get(0).getValue();
                    for (int i = 0; i < texts.size(); i++) {
                        assertThat(p[i]).containsExactly(head.probabilities(vectors[i]),
                                org.assertj.core.data.Offset.offset(1e-4f));
                    }
                }
            }
        }
    }
}
