package dev.meridian.gateway.metering;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.error.OpenAiError;
import dev.meridian.gateway.config.GatewayConfig;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * {@code GET /internal/v1/served-requests?from=<ISO instant>&to=<ISO instant>}: the requests this gateway metered per
 * tenant and hour, for billing's reconciliation. Service tokens only (the {@code /internal/*} permission).
 */
@ApplicationScoped
public class ServedRequestsRoute {

    public static final String PATH = "/internal/v1/served-requests";

    /** One tenant's requests in one hour (the hour's start). */
    public record Hour(String tenantId, Instant hour, long requests) {
    }

    public record Answer(String gatewayId, String region, List<Hour> hours) {
    }

    @Inject
    GatewayConfig config;
    @Inject
    UsagePublisher publisher;
    @Inject
    ObjectMapper json;

    void routes(@Observes Router router) {
        router.get(PATH).handler(this::served);
    }

    private void served(RoutingContext ctx) {
        Instant from;
        Instant to;
        try {
            from = Instant.parse(required(ctx, "from"));
            to = Instant.parse(required(ctx, "to"));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            write(ctx, 400, OpenAiError.of("invalid_request_error", "invalid_value", "Give `from` and `to` as ISO-8601"
                    + " instants, e.g. ?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z (" + e.getMessage() + ")."));
            return;
        }
        if (!from.isBefore(to)) {
            write(ctx, 400, OpenAiError.of("invalid_request_error", "invalid_value", "`from` must be before `to`."));
            return;
        }
        var hours = publisher.servedBetween(from, to).stream()
                .map(c -> new Hour(c.tenantId().toString(), c.hour(), c.requests())).toList();
        write(ctx, 200, new Answer(GatewayIdentity.of(config), config.region(), hours));
    }

    private static String required(RoutingContext ctx, String name) {
        String value = ctx.request().getParam(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("`" + name + "` is missing");
        }
        return value;
    }

    private void write(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.fail(500, e);
        }
    }

}
