package dev.meridian.models.registry.validation;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.models.ChatTemplate;
import dev.meridian.common.models.GenerationSpec;
import dev.meridian.models.registry.service.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checks a generative model package passes before it becomes a version, in order, each refusal a 400 naming its
 * check in {@code error.code}: {@code package} (the archive and its files), the decoder's ONNX checks of
 * {@link ModelValidator} ({@code onnx_parse}, {@code opset}, {@code external_data}, {@code inputs_outputs}),
 * {@code decoder_signature} ({@link DecoderLayout}), {@code generation_config} (special ids, context length),
 * {@code tokenizer}, {@code chat_template}, and {@code trial_generation} (a few greedy tokens through the KV cache).
 */
@ApplicationScoped
public class GenerativeValidator {

    /** The prompt and decode steps of the trial generation. */
    static final int TRIAL_PROMPT_TOKENS = 4;
    static final int TRIAL_DECODE_STEPS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a package's files say about running its decoder (the generation spec without the tokenizer's blob). */
    public record Facts(String chatTemplate, String bosToken, String eosToken, Integer bosTokenId,
            List<Integer> eosTokenIds, Integer padTokenId, int maxContext) {
    }

    /** A valid package: its decoder as a version records it, its layout and facts, and its tokenizer's hash. */
    public record ValidPackage(ModelValidator.Validated decoder, DecoderLayout layout, Facts facts,
            String tokenizerSha256) {

        /** The spec inference reads, with the tokenizer stored under {@code tokenizerBlobKey}. */
        public GenerationSpec spec(String tokenizerBlobKey) {
            return new GenerationSpec(tokenizerBlobKey, tokenizerSha256, facts.chatTemplate(), facts.bosToken(),
                    facts.eosToken(), facts.bosTokenId(), facts.eosTokenIds(), facts.padTokenId(),
                    facts.maxContext(), layout.vocabSize(), layout.layers(), layout.kvHeads(), layout.headDim(),
                    layout.positionIds());
        }
    }

    @Inject
    ModelValidator models;

    public ValidPackage validate(ModelPackage pkg, long maxBytes) throws IOException, InterruptedException {
        ModelValidator.Inspected decoder = models.inspect(pkg.decoder(), maxBytes);
        DecoderLayout layout = DecoderLayout.of(decoder.info().inputs(), decoder.info().outputs());
        Facts facts = facts(pkg);
        int vocabulary = tokenizerVocabulary(pkg.tokenizer());
        if (vocabulary > layout.vocabSize()) {
            throw refuse("tokenizer", "tokenizer.json has " + vocabulary + " tokens (ids 0.." + (vocabulary - 1)
                    + "), more than the decoder's logits have (" + layout.vocabSize() + "); the decoder could never"
                    + " choose the last ones. Package the tokenizer the model was trained with.");
        }
        checkId(facts.bosTokenId(), "bos_token_id", vocabulary);
        for (Integer eos : facts.eosTokenIds()) {
            checkId(eos, "eos_token_id", vocabulary);
        }
        checkId(facts.padTokenId(), "pad_token_id", vocabulary);
        if (facts.chatTemplate() != null) {
            try {
                ChatTemplate.of(facts.chatTemplate());
            } catch (ChatTemplate.TemplateException e) {
                throw refuse("chat_template", "The chat_template of tokenizer_config.json does not render a sample"
                        + " conversation (system, user, assistant, user): " + e.getMessage() + ". Fix the template"
                        + " (Jinja, as transformers' apply_chat_template renders it) or leave chat_template out.");
            }
        }
        models.tryGeneration(pkg.decoder(), new TrialRunner.Generation(layout.vocabSize(), layout.layers(),
                layout.kvHeads(), layout.headDim(), layout.positionIds(), TRIAL_PROMPT_TOKENS, TRIAL_DECODE_STEPS));
        return new ValidPackage(decoder.validated(), layout, facts, ModelRegistry.sha256(pkg.tokenizer()));
    }

    /** The facts of generation_config.json, config.json and tokenizer_config.json. */
    static Facts facts(ModelPackage pkg) throws IOException {
        Optional<JsonNode> generation = json(pkg, ModelPackage.GENERATION_CONFIG);
        Optional<JsonNode> config = json(pkg, ModelPackage.CONFIG);
        if (generation.isEmpty() && config.isEmpty()) {
            throw refuse("package", "The package has neither generation_config.json nor config.json; add the"
                    + " files the exporter wrote beside the model (they give eos_token_id and the context length).");
        }
        List<Integer> eos = ids(generation, config, "eos_token_id");
        if (eos.isEmpty()) {
            throw refuse("generation_config", "Neither generation_config.json nor config.json gives eos_token_id;"
                    + " add \"eos_token_id\": <id> (or a list of ids) to generation_config.json so generation can"
                    + " stop.");
        }
        Integer bos = ids(generation, config, "bos_token_id").stream().findFirst().orElse(null);
        Integer pad = ids(generation, config, "pad_token_id").stream().findFirst().orElse(null);
        Integer context = null;
        for (var candidate : List.of(Map.entry(config, "config.json max_position_embeddings"),
                Map.entry(config, "config.json n_positions"), Map.entry(generation,
                        "generation_config.json max_length"))) {
            String field = candidate.getValue().substring(candidate.getValue().indexOf(' ') + 1);
            JsonNode n = candidate.getKey().map(j -> j.get(field)).orElse(null);
            if (n != null && !n.isNull()) {
                if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 2) {
                    throw refuse("generation_config", candidate.getValue() + " is " + n + "; it must be the"
                            + " model's context length, an integer of at least 2.");
                }
                context = n.asInt();
                break;
            }
        }
        if (context == null) {
            throw refuse("generation_config", "The package does not say the model's context length: set"
                    + " max_position_embeddings (or n_positions) in config.json, or max_length in"
                    + " generation_config.json.");
        }
        String template = null;
        String bosToken = null;
        String eosToken = null;
        Optional<JsonNode> tokenizerConfig = json(pkg, ModelPackage.TOKENIZER_CONFIG);
        if (tokenizerConfig.isPresent()) {
            JsonNode t = tokenizerConfig.get();
            template = chatTemplate(t.get("chat_template"));
            bosToken = tokenText(t.get("bos_token"), "bos_token");
            eosToken = tokenText(t.get("eos_token"), "eos_token");
        }
        return new Facts(template, bosToken, eosToken, bos, eos, pad, context);
    }

    private static String chatTemplate(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isArray()) {
            for (JsonNode named : n) {
                if (named.isObject() && "default".equals(named.path("name").asText(null))
                        && named.path("template").isTextual()) {
                    return named.get("template").asText();
                }
            }
            throw refuse("chat_template", "tokenizer_config.json's chat_template is a list without an entry"
                    + " {\"name\": \"default\", \"template\": \"...\"}; add one, or make chat_template a string.");
        }
        throw refuse("chat_template", "tokenizer_config.json's chat_template is " + n.getNodeType().name()
                .toLowerCase() + "; it must be a string or a list of {\"name\", \"template\"} objects.");
    }

    private static String tokenText(JsonNode n, String field) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isObject() && n.path("content").isTextual()) {
            return n.get("content").asText();
        }
        throw refuse("package", "tokenizer_config.json's " + field + " must be a string or an object with a"
                + " string \"content\", not " + n + ".");
    }

    /** The ids of {@code field} in generation_config.json, else config.json; an int or a list of ints. */
    private static List<Integer> ids(Optional<JsonNode> generation, Optional<JsonNode> config, String field) {
        for (var source : List.of(Map.entry(generation, ModelPackage.GENERATION_CONFIG),
                Map.entry(config, ModelPackage.CONFIG))) {
            JsonNode n = source.getKey().map(j -> j.get(field)).orElse(null);
            if (n == null || n.isNull()) {
                continue;
            }
            List<Integer> ids = new ArrayList<>();
            if (n.isIntegralNumber() && n.canConvertToInt()) {
                ids.add(n.asInt());
            } else if (n.isArray() && !n.isEmpty()) {
                for (JsonNode id : n) {
                    if (!id.isIntegralNumber() || !id.canConvertToInt()) {
                        ids.clear();
                        break;
                    }
                    ids.add(id.asInt());
                }
            }
            if (ids.isEmpty()) {
                throw refuse("generation_config", source.getValue() + "'s " + field + " is " + n + "; it must be a"
                        + " token id or a non-empty list of token ids.");
            }
            return ids;
        }
        return List.of();
    }

    private static void checkId(Integer id, String field, int vocabulary) {
        if (id != null && (id < 0 || id >= vocabulary)) {
            throw refuse("generation_config", field + " " + id + " is outside the tokenizer's vocabulary (ids 0.."
                    + (vocabulary - 1) + "); set it to the id tokenizer.json gives that token.");
        }
    }

    private static Optional<JsonNode> json(ModelPackage pkg, String name) throws IOException {
        Optional<Path> file = pkg.file(name);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(file.get().toFile());
            if (n == null || !n.isObject()) {
                throw refuse("package", name + " in the package is not a JSON object.");
            }
            return Optional.of(n);
        } catch (JsonProcessingException e) {
            throw refuse("package", name + " in the package is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")") + ".");
        }
    }

    /**
     * The size of the tokenizer's vocabulary (the highest id of its model's vocabulary and its added tokens, plus
     * one), after DJL's HuggingFace tokenizers (what inference runs) loaded it and encoded a sample.
     */
    static int tokenizerVocabulary(Path tokenizer) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizer.toFile());
        } catch (JsonProcessingException e) {
            throw refuse("tokenizer", "tokenizer.json is not valid JSON: " + e.getOriginalMessage() + ".");
        }
        if (root == null || !root.isObject() || !root.path("model").isObject()) {
            throw refuse("tokenizer", "tokenizer.json has no \"model\" object; package the tokenizer.json that"
                    + " Hugging Face tokenizers write (tokenizer.save_pretrained(folder)), not vocab.json.");
        }
        long highest = -1;
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (JsonNode id : vocab) {
                highest = Math.max(highest, id.asLong(-1));
            }
        } else if (vocab.isArray()) {
            highest = vocab.size() - 1; // Unigram: [[piece, score], ...], ids by position
        }
        for (JsonNode added : root.path("added_tokens")) {
            highest = Math.max(highest, added.path("id").asLong(-1));
        }
        if (highest < 0 || highest >= Integer.MAX_VALUE) {
            throw refuse("tokenizer", "tokenizer.json's model has no vocabulary (model.vocab); package the"
                    + " tokenizer.json the model was trained with.");
        }
        try (InputStream in = Files.newInputStream(tokenizer);
                HuggingFaceTokenizer loaded = HuggingFaceTokenizer.newInstance(in, Map.of("truncation", "false",
                        "padding", "false", "addSpecialTokens", "false"))) {
            for (long id : loaded.encode("Hello, world!").getIds()) {
                if (id > highest) {
                    throw refuse("tokenizer", "tokenizer.json encodes text to id " + id + ", beyond its vocabulary"
                            + " (0.." + highest + ").");
                }
            }
        } catch (RuntimeException e) {
            if (e instanceof ApiException) {
                throw e;
            }
            throw refuse("tokenizer", "tokenizer.json does not load in Hugging Face tokenizers: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + ". Package the tokenizer.json that tokenizer.save_pretrained(folder) writes.");
        }
        return (int) highest + 1;
    }

    private static ApiException refuse(String check, String message) {
        return ModelValidator.refuse(400, check, message);
    }
}
