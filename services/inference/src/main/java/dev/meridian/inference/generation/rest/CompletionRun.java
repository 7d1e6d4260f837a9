package dev.meridian.inference.generation.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.UsageHeader;
import dev.meridian.inference.generation.ChoiceText;
import dev.meridian.inference.generation.FinishReason;
import dev.meridian.inference.generation.GenerationEngine;
import dev.meridian.inference.generation.SamplingParams;
import dev.meridian.inference.generation.TextTokenizer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One completion request on an engine: a sink per choice that turns its tokens into text, and either the whole
 * answer once every choice has ended, or, streamed, OpenAI's chunks as server-sent events, each event that carries
 * generated tokens followed by a {@code : usage ...} comment with the totals so far (what the gateway meters, also
 * when the caller goes away midway). The sinks run on the engine's thread, one request's all on the same one.
 */
final class CompletionRun {

    /** Where a streamed answer goes, in order; called on the engine's thread, so it must hand off and not block. */
    interface Events {
        void send(String sse);

        void end();
    }

    /** The whole answer of a request that is not streamed. */
    record Answer(Object body, long promptTokens, long completionTokens) {
    }

    private final ObjectMapper json;
    private final CompletionRequest request;
    private final String id;
    private final long created;
    private final String model;
    private final long promptTokens;
    private final Events events;
    private final List<ChoiceState> choices = new ArrayList<>();
    private final CompletableFuture<Answer> answer = new CompletableFuture<>();
    private int open;
    private boolean failed;

    private final class ChoiceState implements GenerationEngine.TokenSink {
        final int index;
        final ChoiceText text;
        int tokens;
        boolean started;
        String finishReason;

        ChoiceState(int index, ChoiceText text) {
            this.index = index;
            this.text = text;
        }

        @Override
        public boolean token(int token) {
            tokens++;
            String delta = text.add(token);
            if (events != null && !delta.isEmpty()) {
                chunk(this, delta, null);
            }
            return !text.stopped();
        }

        @Override
        public void finished(FinishReason reason, int generated) {
            tokens = generated;
            if (reason == FinishReason.CANCELLED) {
                done(this, null);
                return;
            }
            String tail = text.flush();
            finishReason = reason.wireName();
            if (events != null) {
                chunk(this, tail, finishReason);
            }
            done(this, null);
        }

        @Override
        public void failed(Throwable error) {
            done(this, error);
        }
    }

    CompletionRun(ObjectMapper json, CompletionRequest request, String id, long created, String model,
            long promptTokens, Events events) {
        this.json = json;
        this.request = request;
        this.id = id;
        this.created = created;
        this.model = model;
        this.promptTokens = promptTokens;
        this.events = events;
    }

    /** Adds a choice for {@code prompt}; answers what the engine is to run. */
    GenerationEngine.Choice choice(TextTokenizer tokenizer, long[] prompt, SamplingParams params) {
        var state = new ChoiceState(choices.size(), new ChoiceText(tokenizer, prompt, request.stop()));
        choices.add(state);
        open++;
        return new GenerationEngine.Choice(prompt, params, state);
    }

    /** Completes with the whole answer (requests that are not streamed). */
    CompletableFuture<Answer> answer() {
        return answer;
    }

    /** {@code X-Meridian-Usage} for the response head of a stream: the request and its prompt tokens. */
    String headUsage() {
        return UsageHeader.format(Map.of(Meter.REQUESTS, 1L, Meter.PROMPT_TOKENS, promptTokens));
    }

    /** {@code X-Meridian-Usage} with the completion tokens so far. */
    String usage() {
        var q = new EnumMap<Meter, Long>(Meter.class);
        q.put(Meter.REQUESTS, 1L);
        q.put(Meter.PROMPT_TOKENS, promptTokens);
        q.put(Meter.COMPLETION_TOKENS, completionTokens());
        return UsageHeader.format(q);
    }

    private long completionTokens() {
        return choices.stream().mapToLong(c -> c.tokens).sum();
    }

    private void chunk(ChoiceState c, String delta, String finishReason) {
        boolean tokens = !delta.isEmpty() || finishReason != null;
        if (request.chat()) {
            if (!c.started) {
                c.started = true;
                send(new CompletionViews.ChatChunk(id, "chat.completion.chunk", created, model, List.of(
                        new CompletionViews.ChunkChoice(c.index, new CompletionViews.Delta("assistant", ""), null,
                                null)), null));
            }
            var d = new CompletionViews.Delta(null, delta.isEmpty() ? null : delta);
            send(new CompletionViews.ChatChunk(id, "chat.completion.chunk", created, model, List.of(
                    new CompletionViews.ChunkChoice(c.index, d, finishReason, null)), null));
        } else {
            send(new CompletionViews.TextCompletion(id, "text_completion", created, model, List.of(
                    new CompletionViews.TextChoice(delta, c.index, null, finishReason)), null));
        }
        if (tokens) {
            events.send(": usage " + usage() + "\n\n");
        }
    }

    private void send(Object chunk) {
        events.send("data: " + write(chunk) + "\n\n");
    }

    private void done(ChoiceState c, Throwable error) {
        if (error != null && !failed) {
            failed = true;
            if (events != null) {
                events.send("data: " + write(Map.of("error", Map.of("message", "The model failed while"
                        + " generating: " + error.getMessage(), "type", "server_error"))) + "\n\n");
            } else {
                answer.completeExceptionally(error);
            }
        }
        if (--open > 0) {
            return;
        }
        if (events != null) {
            if (request.includeUsage() && !failed) {
                Object last = request.chat()
                        ? new CompletionViews.ChatChunk(id, "chat.completion.chunk", created, model, List.of(),
                                usageView())
                        : new CompletionViews.TextCompletion(id, "text_completion", created, model, List.of(),
                                usageView());
                send(last);
            }
            events.send(": usage " + usage() + "\n\n");
            if (!failed) {
                events.send("data: [DONE]\n\n");
            }
            events.end();
        } else if (!failed) {
            answer.complete(new Answer(body(), promptTokens, completionTokens()));
        }
    }

    private CompletionViews.Usage usageView() {
        return CompletionViews.Usage.of(promptTokens, completionTokens());
    }

    private Object body() {
        if (request.chat()) {
            return new CompletionViews.ChatCompletion(id, "chat.completion", created, model, choices.stream()
                    .map(c -> new CompletionViews.ChatChoice(c.index, new CompletionViews.Message("assistant",
                            c.text.text(), null), c.finishReason, null)).toList(), usageView());
        }
        return new CompletionViews.TextCompletion(id, "text_completion", created, model, choices.stream()
                .map(c -> new CompletionViews.TextChoice(c.text.text(), c.index, null, c.finishReason)).toList(),
                usageView());
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
