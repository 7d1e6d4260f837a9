package dev.meridian.billing.reconciliation.rest;

import dev.meridian.billing.access.BillingAccess;
import dev.meridian.billing.reconciliation.service.Reconciliation;
import dev.meridian.common.error.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/billing/admin/reconciliation")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(BillingAccess.PLATFORM_ADMIN)
@Tag(name = "Billing admin")
public class ReconciliationResource {

    @Inject
    Reconciliation reconciliation;
    @Inject
    Clock clock;

    @GET
    @Operation(summary = "Gateways' served requests against billed requests per tenant and hour (whole hours)")
    public Reconciliation.Report reconcile(@QueryParam("from") String from, @QueryParam("to") String to) {
        Instant end = to == null ? clock.instant().truncatedTo(ChronoUnit.HOURS) : hour("to", to);
        Instant start = from == null ? end.minus(Duration.ofHours(24)) : hour("from", from);
        if (!start.isBefore(end)) {
            throw ApiException.invalidField("to", "must be after `from`");
        }
        if (Duration.between(start, end).compareTo(Duration.ofDays(31)) > 0) {
            throw ApiException.invalidField("from", "reconcile at most 31 days at once");
        }
        return reconciliation.reconcile(start, end);
    }

    private static Instant hour(String field, String value) {
        try {
            Instant t = Instant.parse(value);
            if (!t.truncatedTo(ChronoUnit.HOURS).equals(t)) {
                throw ApiException.invalidField(field, "'" + value + "' must be a whole hour, e.g. "
                        + t.truncatedTo(ChronoUnit.HOURS));
            }
            return t;
        } catch (DateTimeParseException e) {
            throw ApiException.invalidField(field, "'" + value + "' is not an ISO-8601 UTC time; write e.g."
                    + " 2026-11-23T12:00:00Z");
        }
    }
}
