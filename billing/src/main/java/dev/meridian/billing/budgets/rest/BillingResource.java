package dev.meridian.billing.budgets.rest;

import dev.meridian.billing.Account;
import dev.meridian.billing.access.BillingAccess;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.budgets.service.Budgets;
import dev.meridian.billing.pricing.MoneyLimits;
import dev.meridian.billing.pricing.Price;
import dev.meridian.billing.pricing.PriceBook;
import dev.meridian.billing.trials.Trials;
import dev.meridian.common.error.ApiException;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A tenant's budgets and plan. */
@Path("/api/v1/billing")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Billing")
public class BillingResource {

    /**
     * Budgets in minor units of the tenant's currency, at most {@link MoneyLimits#MAX_AMOUNT_MINOR} (the annotations
     * document the bounds in OpenAPI; {@code validate} enforces them); null removes one. The webhook must be https
     * to a public address (docs/architecture.md, Security model).
     */
    public record BudgetsRequest(@Positive @Max(MoneyLimits.MAX_AMOUNT_MINOR) Long softBudgetMinor,
            @PositiveOrZero @Max(MoneyLimits.MAX_AMOUNT_MINOR) Long hardBudgetMinor, String webhookUrl) {
    }

    /** As {@link BudgetsRequest}, for one API key. */
    public record KeyBudgetRequest(@Positive @Max(MoneyLimits.MAX_AMOUNT_MINOR) Long softBudgetMinor,
            @PositiveOrZero @Max(MoneyLimits.MAX_AMOUNT_MINOR) Long hardBudgetMinor) {
    }

    /** {@code trial}: the trial credit (null when the account has none), its remainder 0 once it has ended. */
    public record PlanView(String object, UUID tenantId, String plan, String region, String currency,
            long monthlyFeeMinor, Map<String, Long> included, Map<String, Price> prices, long walletBalanceMinor,
            Trials.TrialView trial) {
    }

    @Inject
    BillingAccess access;
    @Inject
    Budgets budgets;
    @Inject
    Accounts accounts;
    @Inject
    PriceBook priceBook;
    @Inject
    Trials trials;

    @GET
    @Path("/budgets")
    @Operation(summary = "Soft and hard budgets of the tenant and its keys, with this month's spend")
    public Budgets.BudgetsView budgets(@QueryParam("tenant_id") UUID tenantId) {
        return budgets.view(access.readableTenant(tenantId));
    }

    @PUT
    @Path("/budgets")
    @Operation(summary = "Sets the tenant's budgets and alert webhook (owner or admin); the webhook secret is shown"
            + " only when the URL is set or changed")
    public Budgets.BudgetsView setBudgets(@QueryParam("tenant_id") UUID tenantId, BudgetsRequest request) {
        UUID tenant = access.managedTenant(tenantId);
        if (request == null) {
            throw ApiException.badRequest("Send {soft_budget_minor?, hard_budget_minor?, webhook_url?}.");
        }
        validate(request.softBudgetMinor(), request.hardBudgetMinor());
        return budgets.set(tenant, access.region(), request.softBudgetMinor(), request.hardBudgetMinor(),
                request.webhookUrl());
    }

    @PUT
    @Path("/budgets/keys/{keyId}")
    @Operation(summary = "Sets one API key's budgets (owner or admin); both null removes them")
    public Budgets.BudgetsView setKeyBudget(@QueryParam("tenant_id") UUID tenantId, @PathParam("keyId") UUID keyId,
            KeyBudgetRequest request) {
        UUID tenant = access.managedTenant(tenantId);
        if (request == null) {
            throw ApiException.badRequest("Send {soft_budget_minor?, hard_budget_minor?}.");
        }
        validate(request.softBudgetMinor(), request.hardBudgetMinor());
        return budgets.setKey(tenant, access.region(), keyId, request.softBudgetMinor(), request.hardBudgetMinor());
    }

    @GET
    @Path("/plan")
    @Operation(summary = "The tenant's plan, currency, inclusions, prices, prepaid wallet balance and trial credit")
    @Transactional
    public PlanView plan(@QueryParam("tenant_id") UUID tenantId) {
        UUID tenant = access.readableTenant(tenantId);
        Account account = accounts.open(tenant, access.region());
        var rating = accounts.rating(account);
        return new PlanView("plan", tenant, account.plan, account.region,
                currency(account),
                rating.feeMinor(), new TreeMap<>(rating.included()), new TreeMap<>(rating.prices()),
                accounts.walletBalance(tenant), trials.view(tenant).orElse(null));
    }

    private String currency(Account account) {
        return priceBook.currencyOf(account.region);
    }

    /** Bounds both budgets (pricing/MoneyLimits): an unbounded one would overflow the alert and lease math. */
    private static void validate(Long soft, Long hard) {
        MoneyLimits.amountMinor("soft_budget_minor", soft, 1, "no soft budget");
        MoneyLimits.amountMinor("hard_budget_minor", hard, 0, "no hard budget");
    }
}
