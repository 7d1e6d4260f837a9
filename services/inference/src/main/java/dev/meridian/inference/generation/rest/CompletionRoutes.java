package dev.meridian.inference.generation.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.UsageHeader;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.error.OpenAiError;
import dev.meridian.common.models.ChatTemplate;
import dev.meridian.common.tenant.Caller;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.inference.config.InferenceConfig;
import dev.meridian.inference.generation.GenerationEngine;
import dev.meridian.inference.generation.GenerationModels;
import dev.meridian.inference.generation.SamplingParams;
import dev.meridian.inference.runtime.RunRefused;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * OpenAI's {@code POST /v1/chat/completions} and {@code POST /v1/completions} on tenants' generative models, as
 * JSON or, with {@code stream: true}, as server-sent events.
 * <p>
 * Vert.x routes rather than a JAX-RS resource: one request body decides between a JSON answer and an event stream
 * whose head, comments and end this service must control (the gateway meters the {@code : usage} comments), and a
 * closed connection must cancel the generation at once ({@link HttpServerResponse#closeHandler}). The routes sit
 * behind the same HTTP security as every {@code /v1} path.
 */
@ApplicationScoped
public class CompletionRoutes {

    private static final Logger LOG = Logger.getLogger(CompletionRoutes.class);
    static final String CHAT = "/v1/chat/completions";
    static final String TEXT = "/v1/completions";

    @Inject
    GenerationModels models;
    @Inject
    ObjectMapper json;
    @Inject
    InferenceConfig config;
    @Inject
    Clock clock;

    void routes(@Observes Router router) {
        for (String path : List.of(CHAT, TEXT)) {
            boolean chat = path.equals(CHAT);
            router.post(path).order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT)
                    .handler(BodyHandler.create().setBodyLimit(20L * 1024 * 1024))
                    .handler(ctx -> handle(ctx, chat));
        }
    }

    private void handle(RoutingContext ctx, boolean chat) {
        Context context = Vertx.currentContext();
        CompletionRequest request;
        Optional<Caller> caller;
        try {
            caller = Caller.parse(ctx.request()::getHeader);
            JsonNode body;
            try {
                body = json.readTree(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            } catch (IOException e) {
                throw ApiException.of(400, "invalid_json", null, "The request body is not valid JSON: "
                        + e.getMessage());
            }
            request = CompletionRequest.parse(body, chat, config.generation().maxChoices());
        } catch (RuntimeException e) {
            fail(ctx, e);
            return;
        }
        AtomicReference<GenerationEngine.Generation> generation = new AtomicReference<>();
        HttpServerResponse response = ctx.response();
        // The gateway closes its connection when its caller goes away: free the batch slots and KV cache now.
        response.closeHandler(v -> cancel(generation));
        response.exceptionHandler(e -> cancel(generation));
        ctx.vertx().executeBlocking(() -> start(request, caller, response, context, generation), false)
                .onComplete(ar -> {
                    if (ar.failed()) {
                        fail(ctx, ar.cause());
                    } else if (response.closed()) {
                        cancel(generation);
                    } else if (!request.stream()) {
                        ar.result().answer().whenComplete((answer, error) -> context.runOnContext(x -> {
                            if (error != null) {
                                fail(ctx, error);
                            } else if (!response.closed()) {
                                var q = new EnumMap<Meter, Long>(Meter.class);
                                q.put(Meter.REQUESTS, 1L);
                                q.put(Meter.PROMPT_TOKENS, answer.promptTokens());
                                q.put(Meter.COMPLETION_TOKENS, answer.completionTokens());
                                response.setStatusCode(200).putHeader("Content-Type", "application/json")
                                        .putHeader(MeridianHeaders.USAGE, UsageHeader.format(q))
                                        .putHeader(MeridianHeaders.MODEL, request.model())
                                        .end(write(answer.body()));
                            }
                        }));
                    }
                });
    }

    private static void cancel(AtomicReference<GenerationEngine.Generation> generation) {
        var g = generation.get();
        if (g != null) {
            g.cancel();
        }
    }

    /** Finds the model, builds the prompts and submits the choices; blocking (registry, first load, tokenizer). */
    private CompletionRun start(CompletionRequest request, Optional<Caller> caller, HttpServerResponse response,
            Context context, AtomicReference<GenerationEngine.Generation> generation) {
        var loaded = models.find(caller, request.model());
        var engine = loaded.engine();
        var spec = engine.spec();
        List<String> texts;
        if (request.chat()) {
            if (loaded.template().isEmpty()) {
                throw ApiException.of(400, "chat_template_missing", "model", "The model '" + request.model()
                        + "' has no " + (loaded.templateProblem().isPresent() ? "usable chat template ("
                                + loaded.templateProblem().get() + ")" : "chat template")
                        + ", so it cannot chat: send a prompt to POST /v1/completions.");
            }
            try {
                texts = List.of(loaded.template().get().render(request.messages(), true, spec.bosToken(),
                        spec.eosToken()));
            } catch (ChatTemplate.TemplateException e) {
                throw ApiException.of(400, "invalid_messages", "messages", e.getMessage());
            }
        } else {
            texts = request.prompts();
        }
        List<long[]> prompts = new ArrayList<>();
        long promptTokens = 0;
        int longest = 0;
        for (String text : texts) {
            long[] ids = engine.tokenizer().encode(text);
            if (ids.length == 0) {
                throw CompletionRequest.invalid(request.chat() ? "messages" : "prompt", "The prompt is empty.");
            }
            prompts.add(ids);
            promptTokens += ids.length;
            longest = Math.max(longest, ids.length);
        }
        int context_ = spec.maxContext();
        int maxTokens = request.maxTokens().orElse(context_ - longest);
        if (longest + (long) maxTokens > context_ || maxTokens < 1) {
            String field = request.chat() ? "messages" : "prompt";
            throw ApiException.of(400, "context_length_exceeded", field, "This model's maximum context length is "
                    + context_ + " tokens. However, you requested " + (longest + (long) Math.max(maxTokens, 1))
                    + " tokens (" + longest + " in the " + field + ", " + Math.max(maxTokens, 1) + " in the"
                    + " completion). Please reduce the length of the " + field + " or of max_tokens.");
        }
        long seed = request.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
        String id = (request.chat() ? "chatcmpl-" : "cmpl-") + HexFormat.of().formatHex(uuidBytes());
        CompletionRun.Events events = request.stream() ? new StreamEvents(response, context, request.model()) : null;
        var run = new CompletionRun(json, request, id, clock.instant().getEpochSecond(), request.model(),
                promptTokens, events);
        if (events != null) {
            ((StreamEvents) events).headUsage = run.headUsage();
        }
        List<GenerationEngine.Choice> choices = new ArrayList<>();
        for (long[] prompt : prompts) {
            for (int j = 0; j < request.n(); j++) {
                int index = choices.size();
                choices.add(run.choice(engine.tokenizer(), prompt, new SamplingParams(request.temperature(),
                        request.topP(), request.topK(), seed + index, maxTokens)));
            }
        }
        generation.set(engine.submit(choices));
        return run;
    }

    private static byte[] uuidBytes() {
        UUID u = UUID.randomUUID();
        var b = java.nio.ByteBuffer.allocate(12);
        b.putLong(u.getMostSignificantBits()).putInt((int) u.getLeastSignificantBits());
        return b.array();
    }

    /** Writes a streamed answer on the request's event loop, the head with the first event. */
    private static final class StreamEvents implements CompletionRun.Events {
        private final HttpServerResponse response;
        private final Context context;
        private final String model;
        volatile String headUsage;
        private boolean headSent;

        StreamEvents(HttpServerResponse response, Context context, String model) {
            this.response = response;
            this.context = context;
            this.model = model;
        }

        @Override
        public void send(String sse) {
            context.runOnContext(v -> {
                if (response.closed() || response.ended()) {
                    return;
                }
                head();
                response.write(sse);
            });
        }

        @Override
        public void end() {
            context.runOnContext(v -> {
                if (!response.closed() && !response.ended()) {
                    head();
                    response.end();
                }
            });
        }

        private void head() {
            if (!headSent) {
                headSent = true;
                response.setStatusCode(200).setChunked(true)
                        .putHeader("Content-Type", "text/event-stream")
                        .putHeader("Cache-Control", "no-cache")
                        .putHeader(MeridianHeaders.USAGE, headUsage)
                        .putHeader(MeridianHeaders.MODEL, model);
            }
        }
    }

    private void fail(RoutingContext ctx, Throwable error) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.ended()) {
            return;
        }
        if (response.headWritten()) {
            response.end();
            return;
        }
        ApiException e;
        Optional<Long> retryAfter = Optional.empty();
        if (error instanceof ApiException api) {
            e = api;
            if (api.retryAfterSeconds().isPresent()) {
                retryAfter = Optional.of((long) api.retryAfterSeconds().getAsInt());
            }
        } else if (error instanceof RunRefused refused) {
            e = ApiException.of(refused.status(), refused.code(), null, refused.getMessage());
            retryAfter = refused.retryAfter().map(d -> Math.max(1, d.toSeconds()));
        } else {
            String id = UUID.randomUUID().toString();
            LOG.errorf(error, "unexpected failure %s on %s", id, ctx.request().path());
            e = ApiException.of(500, null, null, "Internal error (id " + id + "); retry, and report the id if it"
                    + " persists.");
        }
        response.setStatusCode(e.status()).putHeader("Content-Type", "application/json");
        retryAfter.ifPresent(s -> response.putHeader("Retry-After", String.valueOf(s)));
        response.end(write(OpenAiError.of(e)));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
