package dev.meridian.models.registry.validation;

import dev.meridian.common.error.ApiException;
import dev.meridian.models.ModelVersion;
import dev.meridian.models.config.ModelsConfig;
import dev.meridian.models.registry.onnx.ElementType;
import dev.meridian.models.registry.onnx.OnnxModelInfo;
import dev.meridian.models.registry.onnx.OnnxReader;
import dev.meridian.models.registry.onnx.TensorSpec;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The checks an ONNX file passes before it becomes a version, in order, each refusal naming its check in
 * {@code error.code}: {@code size} (413), {@code onnx_parse}, {@code opset}, {@code external_data},
 * {@code inputs_outputs}, {@code trial_run} (400). Generative packages: see {@link GenerativeValidator}.
 */
@ApplicationScoped
public class ModelValidator {

    /** What a valid model declares, as the version records it. */
    public record Validated(long irVersion, int opset, String producer, List<ModelVersion.Tensor> inputs,
            List<ModelVersion.Tensor> outputs) {
    }

    @Inject
    ModelsConfig config;

    private TrialRunner trials;

    @PostConstruct
    void init() throws IOException {
        trials = new TrialRunner();
    }

    public void checkSize(long bytes) {
        checkSize(bytes, config.registry().maxModelBytes());
    }

    /** The size check with a given cap: models the platform made itself (fine-tuning) have their own. */
    public void checkSize(long bytes, long cap) {
        if (bytes > cap) {
            throw refuse(413, "size", "The model file has " + bytes + " bytes; the size check allows at most " + cap
                    + " bytes (meridian.models.registry.max-model-bytes). Shrink it, e.g. by quantizing.");
        }
        if (bytes == 0) {
            throw refuse(400, "size", "The model file is empty; send the .onnx file's bytes.");
        }
    }

    public Validated validate(Path file) throws IOException, InterruptedException {
        return validate(file, config.registry().maxModelBytes());
    }

    public Validated validate(Path file, long maxBytes) throws IOException, InterruptedException {
        Inspected inspected = inspect(file, maxBytes);
        var t = config.registry().trial();
        TrialRunner.Outcome outcome = trials.run(file, t.timeout().toMillis(), t.heapMib(), t.addressSpaceMib());
        if (!outcome.ok()) {
            throw refuse(400, "trial_run", "The trial run on zero-filled inputs failed: " + outcome.reason()
                    + limits(outcome) + ". Check that the model runs in ONNX Runtime 1.23 on CPU.");
        }
        return inspected.validated();
    }

    /** What the checks before the trial read of a model: the parsed file and what its version records. */
    public record Inspected(OnnxModelInfo info, Validated validated) {
    }

    /**
     * The checks of {@link #validate(Path, long)} that read the file (size, parse, opset, external data, inputs and
     * outputs), without the trial run: a generative package's decoder gets a trial generation instead.
     */
    public Inspected inspect(Path file, long maxBytes) throws IOException {
        checkSize(Files.size(file), maxBytes);
        OnnxModelInfo info;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            info = OnnxReader.read(in);
        } catch (OnnxReader.NotOnnx e) {
            throw refuse(400, "onnx_parse", "The file is not a parseable ONNX model: " + e.getMessage()
                    + ". Export it with torch.onnx.export or onnx.save and upload the .onnx file.");
        }
        long opset = info.defaultOpset();
        var r = config.registry();
        if (opset < r.minOpset() || opset > r.maxOpset()) {
            throw refuse(400, "opset", "The model imports opset " + (opset == 0 ? "none" : opset) + " of the default"
                    + " ONNX domain; the opset check accepts " + r.minOpset() + " to " + r.maxOpset()
                    + ". Re-export it with opset_version in that range.");
        }
        if (!info.externalTensors().isEmpty()) {
            throw refuse(400, "external_data", "The model keeps tensor data outside the file ("
                    + String.join(", ", info.externalTensors().stream().limit(5).map(n -> "'" + n + "'").toList())
                    + "); the external-data check refuses references to other files. Save it as one file:"
                    + " onnx.save(model, path, save_as_external_data=False).");
        }
        if (info.inputs().isEmpty() || info.outputs().isEmpty()) {
            throw refuse(400, "inputs_outputs", "The model declares no graph " + (info.inputs().isEmpty() ? "inputs"
                    : "outputs") + "; a served model needs at least one of each.");
        }
        List<ModelVersion.Tensor> inputs = tensors(info.inputs(), "input");
        List<ModelVersion.Tensor> outputs = tensors(info.outputs(), "output");
        return new Inspected(info, new Validated(info.irVersion(), (int) opset, info.producer(), inputs, outputs));
    }

    /**
     * The trial of a generative model: a short prompt's prefill and a few greedy decode steps through its KV cache,
     * in the sandboxed child JVM; a 400 ({@code trial_generation}) saying what went wrong when the loop fails.
     */
    public void tryGeneration(Path decoder, TrialRunner.Generation generation)
            throws IOException, InterruptedException {
        var t = config.registry().trial();
        TrialRunner.Outcome outcome = trials.generate(decoder, generation, t.timeout().toMillis(), t.heapMib(),
                t.addressSpaceMib());
        if (!outcome.ok()) {
            throw refuse(400, "trial_generation", "The trial generation (a " + generation.promptTokens()
                    + "-token prompt, then " + generation.decodeSteps() + " greedy steps feeding present.N.* back as"
                    + " past_key_values.N.*) failed: " + outcome.reason() + limits(outcome) + ". Check that the"
                    + " decoder runs with its KV cache in ONNX Runtime 1.23 on CPU.");
        }
    }

    private String limits(TrialRunner.Outcome outcome) {
        var t = config.registry().trial();
        return outcome.timedOut() ? " (wall-clock limit " + t.timeout().toSeconds() + " s)"
                : " (memory cap " + t.addressSpaceMib() + " MiB)";
    }

    private static List<ModelVersion.Tensor> tensors(List<TensorSpec> specs, String kind) {
        for (TensorSpec s : specs) {
            if (!ElementType.servable(s.elementType())) {
                throw refuse(400, "inputs_outputs", "The model's " + kind + " '" + s.name() + "' has element type "
                        + ElementType.describe(s.elementType()) + "; served models take and give tensors of BOOL,"
                        + " UINT8, INT8, INT16, INT32, INT64, FP16, FP32, FP64 or BYTES (strings).");
            }
        }
        return specs.stream().map(s -> new ModelVersion.Tensor(s.name(), s.datatype(),
                s.shape())).toList();
    }

    static ApiException refuse(int status, String check, String message) {
        return ApiException.of(status, check, "file", message);
    }
}
