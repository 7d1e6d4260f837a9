package dev.meridian.console.web;

import dev.meridian.console.api.MeridianApi.Budgets;
import dev.meridian.console.api.MeridianApi.Figure;
import dev.meridian.console.api.MeridianApi.Invoice;
import dev.meridian.console.api.MeridianApi.Tenant;
import dev.meridian.console.api.MeridianApi;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Usage and billing of a tenant: this month's usage by day and meter (a chart, a table and its CSV), the budgets
 * against this month's spend (owners and admins change them), and the invoices with their PDF. Billing decides who
 * may read (owners, admins, billing members): anyone else sees its refusal. (Rooted at "/" like the other page
 * resources: JAX-RS picks the resource class by its own path first, so a class at /tenants/{t} would hide theirs.)
 */
@Path("/")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class BillingPages extends PageSupport {

    private static final String UPCOMING = "upcoming";


    @CheckedTemplate
    static class Templates {
        static native TemplateInstance billing(Tenant tenant, List<String> meters, List<UsageDays.Day> days, String chart,
                Paged<UsageBreakdown.Row> breakdown, Budgets budgets, List<KeyBudget> keyBudgets, List<Invoice> invoices,
                String error);

        static native TemplateInstance invoice(Tenant tenant, Invoice invoice);
    }

    @GET
    @Path("tenants/{t}/billing")
    public Response billing(@PathParam("t") UUID tenant, @QueryParam("page") @DefaultValue("1") int page) {
        return guarded(() -> billingPage(tenant, page, null), 200);
    }

    /** An invoice as a page (lines, tax, credits, amount due); {@code upcoming} is this month's draft. */
    @GET
    @Path("tenants/{t}/invoices/{id}")
    public Response invoice(@PathParam("t") UUID tenant, @PathParam("id") String id) {
        return guarded(() -> {
            Tenant t = api.tenant(tenant);
            return Templates.invoice(t, UPCOMING.equals(id) ? api.upcomingInvoice(tenant)
                    : api.invoice(tenant, invoiceId(id)));
        }, 200);
    }

    @POST
    @Path("tenants/{t}/billing/budgets")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response setBudgets(@PathParam("t") UUID tenant, @FormParam("soft") String soft,
            @FormParam("hard") String hard, @FormParam("webhook_url") String webhook) {
        return act(tenant, () -> {
            Map<String, Object> body = new HashMap<>();
            body.put("soft_budget_minor", minor(soft));
            body.put("hard_budget_minor", minor(hard));
            body.put("webhook_url", webhook == null || webhook.isBlank() ? null : webhook.strip());
            api.setBudgets(tenant, body);
            return billingPage(tenant, 1, null);
        }, error -> billingPage(tenant, 1, error));
    }

    /** One key's budgets: owners and admins cap a key apart from the tenant (a CI key, a partner's key). */
    @POST
    @Path("tenants/{t}/billing/budgets/keys/{k}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response setKeyBudget(@PathParam("t") UUID tenant, @PathParam("k") UUID key, @FormParam("soft") String soft,
            @FormParam("hard") String hard) {
        return act(tenant, () -> {
            Map<String, Object> body = new HashMap<>();
            body.put("soft_budget_minor", minor(soft));
            body.put("hard_budget_minor", minor(hard));
            api.setKeyBudget(tenant, key, body);
            return billingPage(tenant, 1, null);
        }, error -> billingPage(tenant, 1, error));
    }

    /** An active key with its budgets this month (none set: both null, spent as billing counts it). */
    public record KeyBudget(MeridianApi.Key key, MeridianApi.Budget budget) {
    }

    /** This month's usage by day and meter as CSV, for a spreadsheet. */
    @GET
    @Path("tenants/{t}/usage.csv")
    @Produces("text/csv")
    public Response usageCsv(@PathParam("t") UUID tenant) {
        try {
            var figures = api.usage(tenant, "day,model").data();
            var csv = new StringBuilder("day,meter,model,quantity,events\n");
            figures.stream().sorted(Comparator.comparing(Figure::day).thenComparing(Figure::meter))
                    .forEach(f -> csv.append(f.day().atZone(ZoneOffset.UTC).toLocalDate()).append(',')
                            .append(f.meter()).append(',').append(f.model() == null ? "" : f.model()).append(',')
                            .append(f.quantity()).append(',').append(f.events()).append('\n'));
            return Response.ok(csv.toString()).header("Content-Disposition",
                    "attachment; filename=\"usage-" + tenant + ".csv\"").build();
        } catch (WebApplicationException e) {
            return page(ConsolePages.Templates.notFound(), e.getResponse().getStatus() == 404 ? 404 : 403);
        }
    }

    /**
     * An invoice as the PDF billing renders, through the console (the browser holds no token): a finalized one, or
     * {@code upcoming}, this month's draft.
     */
    @GET
    @Path("tenants/{t}/invoices/{id}.pdf")
    @Produces("application/pdf")
    public Response invoicePdf(@PathParam("t") UUID tenant, @PathParam("id") String invoice) {
        try {
            byte[] pdf = UPCOMING.equals(invoice) ? api.upcomingInvoicePdf(tenant)
                    : api.invoicePdf(tenant, invoiceId(invoice));
            return Response.ok(pdf).header("Content-Disposition",
                    "attachment; filename=\"invoice-" + invoice + ".pdf\"").build();
        } catch (WebApplicationException e) {
            return page(ConsolePages.Templates.notFound(), 404);
        }
    }

    /** An invoice id from a URL; anything else is the not-found page (404), like another tenant's invoice. */
    private static UUID invoiceId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new WebApplicationException(404);
        }
    }

    /**
     * The page's five API reads go out at once ({@link #read}): the page waits for the slowest, not for their sum.
     */
    private TemplateInstance billingPage(UUID tenant, int page, String error) {
        var tenantRead = read(() -> api.tenant(tenant));
        var usageRead = read(() -> api.usage(tenant, "day,model,key"));
        var budgetsRead = read(() -> api.budgets(tenant));
        var invoicesRead = read(() -> api.invoices(tenant).data());
        var keysRead = read(() -> api.keys(tenant).data());
        Tenant t = joined(tenantRead);
        MeridianApi.Usage usage;
        Budgets budgets;
        List<Invoice> invoices;
        try {
            usage = joined(usageRead);
            budgets = joined(budgetsRead);
            invoices = joined(invoicesRead);
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() != 403) {
                throw e;
            }
            return Templates.billing(t, List.of(), List.of(), "{}", null, null, List.of(), List.of(),
                    ApiProblem.detail(e));
        }
        var days = UsageDays.of(usage);
        Map<UUID, MeridianApi.Key> keys = new HashMap<>();
        List<MeridianApi.Key> allKeys = joined(keysRead);
        allKeys.forEach(k -> keys.put(k.id(), k));
        Map<UUID, MeridianApi.Budget> byKey = new HashMap<>();
        if (budgets.keys() != null) {
            budgets.keys().forEach(b -> byKey.put(b.keyId(), b));
        }
        List<KeyBudget> keyBudgets = allKeys.stream().filter(MeridianApi.Key::active)
                .map(k -> new KeyBudget(k, byKey.getOrDefault(k.id(), new MeridianApi.Budget(k.id(), null, null, 0))))
                .toList();
        return Templates.billing(t, days.meters(), days.days(), days.chart(),
                UsageBreakdown.of(usage.data(), keys, page), budgets, keyBudgets, invoices, error);
    }

    /** A form's amount in major units ("12.50") as minor units; blank is none. */
    static Long minor(String amount) {
        if (amount == null || amount.isBlank()) {
            return null;
        }
        try {
            return new BigDecimal(amount.strip()).movePointRight(2).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new WebApplicationException(Response.status(400).entity("{\"detail\":\"'" + amount.strip()
                    + "' is not an amount: write it like 12.50\"}").build());
        }
    }
}
