package dev.meridian.common.models;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generative model's chat template: the Jinja {@code chat_template} of Hugging Face's {@code tokenizer_config.json}
 * that turns a conversation into the prompt text the model was trained on, rendered by HubSpot's Jinjava.
 * <p>
 * Templates come from tenants, so rendering is fenced: no template can load another ({@code include},
 * {@code import}, {@code extends} find nothing), output, strings, lists and ranges are capped, and recursion is
 * shallow. Templates see what Hugging Face's {@code apply_chat_template} gives them: {@code messages} (each with
 * {@code role} and {@code content}), {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}, and the
 * function {@code raise_exception(message)}, whose message becomes the caller's error.
 */
public final class ChatTemplate {

    /** One message of a conversation. */
    public record Message(String role, String content) {
    }

    /** A template that does not parse or render, or that refused the conversation; the message says why. */
    public static final class TemplateException extends IllegalArgumentException {
        public TemplateException(String message) {
            super(message);
        }
    }

    /** The largest prompt text a template may write. */
    public static final long MAX_OUTPUT_CHARS = 4L * 1024 * 1024;
    private static final Jinjava JINJAVA = jinjava();

    private final String source;

    private ChatTemplate(String source) {
        this.source = source;
    }

    /**
     * The template, checked by rendering a short conversation with it (a system, a user and an assistant message,
     * then a user message, with the generation prompt).
     *
     * @throws TemplateException when it does not render that conversation, saying why
     */
    public static ChatTemplate of(String source) {
        if (source == null || source.isBlank()) {
            throw new TemplateException("the chat template is empty");
        }
        var template = new ChatTemplate(source);
        template.render(List.of(new Message("system", "You are helpful."), new Message("user", "Hello"),
                new Message("assistant", "Hi"), new Message("user", "How are you?")), true, "<s>", "</s>");
        return template;
    }

    public String source() {
        return source;
    }

    /**
     * The prompt text for {@code messages}.
     *
     * @throws TemplateException when the template fails or raises an exception (a conversation it does not accept,
     *         such as roles that do not alternate), with the template's own message
     */
    public String render(List<Message> messages, boolean addGenerationPrompt, String bosToken, String eosToken) {
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (Message m : messages) {
            var map = new LinkedHashMap<String, Object>();
            map.put("role", m.role());
            map.put("content", m.content());
            list.add(map);
        }
        Map<String, Object> context = new HashMap<>();
        context.put("messages", list);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken == null ? "" : bosToken);
        context.put("eos_token", eosToken == null ? "" : eosToken);
        var result = JINJAVA.renderForResult(source, context);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new TemplateException(describe(error));
            }
        }
        return result.getOutput();
    }

    private static String describe(TemplateError error) {
        String raised = raisedMessage(error.getException());
        if (raised != null) {
            return raised;
        }
        String message = error.getMessage() == null ? error.getReason().name() : error.getMessage();
        return error.getLineno() > 0 ? message + " (line " + error.getLineno() + ")" : message;
    }

    private static String raisedMessage(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof Raised raised) {
                return raised.getMessage();
            }
        }
        return null;
    }

    /** What {@code raise_exception} throws: the template refusing the conversation. */
    static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code raise_exception(message)} of Hugging Face's templates. */
    public static String raiseException(String message) {
        throw new Raised("The model's chat template refused the conversation: " + message);
    }

    private static Jinjava jinjava() {
        var config = JinjavaConfig.newBuilder()
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withMaxStringLength(MAX_OUTPUT_CHARS)
                .withMaxListSize(10_000)
                .withMaxMapSize(10_000)
                .withRangeLimit(10_000)
                .withMaxRenderDepth(10)
                .withMaxMacroRecursionDepth(10)
                .withFailOnUnknownTokens(false)
                .build();
        var jinjava = new Jinjava(config);
        jinjava.setResourceLocator((name, encoding, interpreter) -> {
            throw new IOException("chat templates cannot load other templates (" + name + ")");
        });
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", String.class));
        return jinjava;
    }
}
