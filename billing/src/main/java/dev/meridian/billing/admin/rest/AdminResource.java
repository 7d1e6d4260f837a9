package dev.meridian.billing.admin.rest;

import dev.meridian.billing.Account;
import dev.meridian.billing.Invoice;
import dev.meridian.billing.WalletEntry;
import dev.meridian.billing.access.BillingAccess;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.billing.invoices.service.InvoiceService;
import dev.meridian.billing.pricing.MoneyLimits;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.error.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Operators' routes (realm role {@code platform-admin}): plans, credits, credit notes, finalization. */
@Path("/api/v1/billing/admin/tenants/{tenantId}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(BillingAccess.PLATFORM_ADMIN)
@Tag(name = "Billing admin")
public class AdminResource {

    /** {@code region} only when billing has not met the tenant yet; {@code custom_prices_nanos} for enterprise. */
    public record PlanRequest(String plan, String region, Map<String, Long> customPricesNanos) {
    }

    public record CreditRequest(Long amountMinor, String reason) {
    }

    public record CreditNoteRequest(UUID invoiceId, Long amountMinor, String reason) {
    }

    public record FinalizeRequest(String period) {
    }

    /** {@code number}: a credit note's own number (its document is {@code /api/v1/billing/credit-notes/{id}}). */
    public record WalletEntryView(UUID id, String kind, String number, long amountMinor, String currency,
            UUID invoiceId, String reason, Instant createdAt, long balanceMinor) {
    }

    public record PlanChanged(UUID tenantId, String plan, String region, Map<String, Long> customPricesNanos) {
    }

    @Inject
    Accounts accounts;
    @Inject
    InvoiceService invoices;
    @Inject
    BillingAccess access;
    @Inject
    BillingConfig config;
    @Inject
    EntityManager em;
    @Inject
    Clock clock;

    @PUT
    @Path("/plan")
    @Transactional
    @Operation(summary = "Changes the tenant's plan (from now on; the month's invoice uses the plan at finalization)."
            + " Billing owns the plan: the change is published on billing.plans, and tenancy, and so the gateways'"
            + " rate limits, follow within seconds")
    public PlanChanged plan(@PathParam("tenantId") UUID tenantId, PlanRequest request) {
        if (request == null || request.plan() == null || !Account.PLANS.contains(request.plan())) {
            throw ApiException.invalidField("plan", "use one of free, payg, subscription, enterprise");
        }
        Map<String, Long> custom = request.customPricesNanos() == null ? Map.of() : request.customPricesNanos();
        if (!custom.isEmpty() && !Account.ENTERPRISE.equals(request.plan())) {
            throw ApiException.invalidField("custom_prices_nanos", "only enterprise plans have custom prices");
        }
        custom.forEach((meter, nanos) -> {
            if (Meter.fromWireName(meter).isEmpty()) {
                throw ApiException.invalidField("custom_prices_nanos", "unknown meter '" + meter + "'");
            }
            MoneyLimits.unitPriceNanos("custom_prices_nanos." + meter, nanos);
        });
        Account account = accounts.changePlan(tenantId, request.region(), request.plan(), custom);
        return new PlanChanged(tenantId, account.plan, account.region, custom);
    }

    @POST
    @Path("/credits")
    @Transactional
    @Operation(summary = "Grants prepaid credits to the tenant's wallet (used before charging)")
    public Response grant(@PathParam("tenantId") UUID tenantId, CreditRequest request) {
        if (request == null) {
            throw ApiException.badRequest("Send {amount_minor, reason?}.");
        }
        MoneyLimits.positiveAmountMinor("amount_minor", request.amountMinor());
        Account account = accounts.find(tenantId).orElseThrow(() -> ApiException.notFound("No billing account "
                + tenantId + "."));
        accounts.lock(tenantId);
        return Response.status(201).entity(entry(account, WalletEntry.CREDIT_GRANT, request.amountMinor(), null,
                request.reason())).build();
    }

    @POST
    @Path("/credit-notes")
    @Transactional
    @Operation(summary = "Issues a credit note against a finalized invoice; the amount goes to the wallet")
    public Response creditNote(@PathParam("tenantId") UUID tenantId, CreditNoteRequest request) {
        if (request == null || request.invoiceId() == null) {
            throw ApiException.invalidField("invoice_id", "name the finalized invoice the credit note corrects");
        }
        MoneyLimits.positiveAmountMinor("amount_minor", request.amountMinor());
        if (request.reason() == null || request.reason().isBlank()) {
            throw ApiException.invalidField("reason", "say why the invoice is corrected");
        }
        Account account = accounts.find(tenantId).orElseThrow(() -> ApiException.notFound("No billing account "
                + tenantId + "."));
        accounts.lock(tenantId);
        Invoice invoice = Invoice.<Invoice>find("id = ?1 and tenantId = ?2", request.invoiceId(), tenantId)
                .firstResultOptional()
                .orElseThrow(() -> ApiException.notFound("No invoice " + request.invoiceId() + " of this tenant."));
        long credited = ((Number) em.createNativeQuery("select coalesce(sum(amount_minor), 0) from wallet_entries"
                        + " where tenant_id = :t and invoice_id = :i and kind = 'credit_note'")
                .setParameter("t", tenantId).setParameter("i", invoice.id).getSingleResult()).longValue();
        if (credited + request.amountMinor() > invoice.totalMinor) {
            throw ApiException.conflict("Invoice " + invoice.number + " totals " + invoice.totalMinor + " and "
                    + credited + " is already credited; at most " + (invoice.totalMinor - credited) + " more.");
        }
        return Response.status(201).entity(entry(account, WalletEntry.CREDIT_NOTE, request.amountMinor(), invoice.id,
                request.reason())).build();
    }

    /** The next credit note number of the month of {@code at}. */
    private String creditNoteNumber(Instant at) {
        long seq = ((Number) em.createNativeQuery("select nextval('credit_note_number_seq')").getSingleResult())
                .longValue();
        YearMonth month = YearMonth.from(at.atZone(java.time.ZoneOffset.UTC));
        return String.format("MER-CN-%d%02d-%06d", month.getYear(), month.getMonthValue(), seq);
    }

    @POST
    @Path("/invoices/finalize")
    @Operation(summary = "Finalizes the invoice of a closed month (e.g. {\"period\":\"2026-10\"}); idempotent")
    public InvoiceService.InvoiceView finalizeInvoice(@PathParam("tenantId") UUID tenantId, FinalizeRequest request) {
        if (request == null || request.period() == null) {
            throw ApiException.invalidField("period", "name the month, e.g. \"2026-10\"");
        }
        YearMonth month;
        try {
            month = YearMonth.parse(request.period());
        } catch (DateTimeParseException e) {
            throw ApiException.invalidField("period", "'" + request.period() + "' is not a month; write e.g."
                    + " \"2026-10\"");
        }
        return invoices.finalizePeriod(tenantId, month, access.actor());
    }

    private WalletEntryView entry(Account account, String kind, long amount, UUID invoiceId, String reason) {
        WalletEntry e = new WalletEntry();
        e.id = UUID.randomUUID();
        e.tenantId = account.tenantId;
        e.kind = kind;
        e.amountMinor = amount;
        e.currency = config.regions().get(account.region).currency();
        e.invoiceId = invoiceId;
        e.reason = reason;
        e.createdBy = access.actor();
        e.createdAt = clock.instant();
        if (WalletEntry.CREDIT_NOTE.equals(kind)) {
            e.number = creditNoteNumber(e.createdAt);
        }
        e.persist();
        em.flush();
        return new WalletEntryView(e.id, e.kind, e.number, e.amountMinor, e.currency, e.invoiceId, e.reason,
                e.createdAt, accounts.walletBalance(account.tenantId));
    }
}
