package dev.meridian.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.meridian.common.models.GenerationSpec;
import dev.meridian.inference.tenant.DeployedModel;
import dev.meridian.testing.TinyDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Deploys TinyDecoder packages for a tenant as the registry will (issue #18): the decoder and tokenizer in the shared
 * blob store, and the registry's {@code deployed} answer with {@code task} and {@code generation}, answered by the
 * {@link RegistryProxy} in the registry's place until the models service serves generative packages.
 */
final class GenerativeModels {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private GenerativeModels() {
    }

    /** Deploys {@code decoder} as the tenant's {@code name}; {@code eos} the ids that end generation. */
    static void deploy(UUID tenant, String name, TinyDecoder decoder, List<Integer> eos, boolean chatTemplate) {
        try {
            byte[] onnx = decoder.onnx();
            byte[] tokenizer = TinyDecoder.tokenizerJson().getBytes(StandardCharsets.UTF_8);
            String prefix = "generation-it/" + tenant + "/" + name + "/";
            write(prefix + "model.onnx", onnx);
            write(prefix + "tokenizer.json", tokenizer);
            var spec = new GenerationSpec(prefix + "tokenizer.json", sha256(tokenizer),
                    chatTemplate ? TinyDecoder.CHAT_TEMPLATE : null, "<s>", "</s>", TinyDecoder.BOS, eos,
                    TinyDecoder.PAD, decoder.maxPositions(), decoder.vocabularySize(), decoder.layers(),
                    decoder.heads(), decoder.headDim(), true);
            var version = new DeployedModel.Version(1, sha256(onnx), onnx.length, prefix + "model.onnx", List.of(),
                    List.of(), null, null, GenerationSpec.TASK, spec);
            TenantModelsResource.registryProxy().stub("/internal/v1/tenants/" + tenant + "/models/" + name
                    + "/deployed", JSON.writeValueAsString(new DeployedModel(tenant, name, List.of(version))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(String key, byte[] bytes) throws IOException {
        Path file = TenantModelsResource.BLOBS.resolve(key);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
