package dev.meridian.billing.usage.rest;

import dev.meridian.billing.Period;
import dev.meridian.billing.access.BillingAccess;
import dev.meridian.billing.usage.service.UsageQueries.Dimension;
import dev.meridian.billing.usage.service.UsageQueries;
import dev.meridian.common.error.ApiException;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/billing/usage")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Billing")
public class UsageResource {

    public record UsageList(String object, UUID tenantId, Instant from, Instant to, List<String> groupBy,
            List<UsageQueries.Figure> data) {
    }

    @Inject
    BillingAccess access;
    @Inject
    UsageQueries usage;
    @Inject
    Clock clock;

    @GET
    @Operation(summary = "Usage per meter, optionally by model, key, day or hour; default: the current month")
    public UsageList usage(@QueryParam("tenant_id") UUID tenantId, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("group_by") String groupBy) {
        UUID tenant = access.readableTenant(tenantId);
        Period current = Period.containing(clock.instant());
        Instant start = from == null ? current.start() : instant("from", from);
        Instant end = to == null ? current.end() : instant("to", to);
        if (!start.isBefore(end)) {
            throw ApiException.invalidField("to", "must be after `from`");
        }
        Set<Dimension> by = dimensions(groupBy);
        return new UsageList("list", tenant, start, end, by.stream().map(d -> d.wireName).toList(),
                usage.usage(tenant, start, end, by));
    }

    static Instant instant(String field, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.invalidField(field, "'" + value + "' is not an ISO-8601 UTC time; write e.g."
                    + " 2026-11-01T00:00:00Z");
        }
    }

    static Set<Dimension> dimensions(String groupBy) {
        Set<Dimension> by = EnumSet.noneOf(Dimension.class);
        if (groupBy == null || groupBy.isBlank()) {
            return by;
        }
        for (String name : groupBy.split(",")) {
            String n = name.trim();
            if (n.equals("meter")) {
                continue;
            }
            by.add(Arrays.stream(Dimension.values()).filter(d -> d.wireName.equals(n)).findFirst()
                    .orElseThrow(() -> ApiException.invalidField("group_by", "unknown dimension '" + n + "'; use any"
                            + " of meter, " + Arrays.stream(Dimension.values()).map(d -> d.wireName)
                            .collect(Collectors.joining(", ")))));
        }
        return by;
    }
}
