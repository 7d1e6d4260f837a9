package dev.meridian.billing.invoices.service;

import dev.meridian.billing.Account;
import dev.meridian.billing.BillingDetails;
import dev.meridian.billing.Invoice;
import dev.meridian.billing.InvoiceLine;
import dev.meridian.billing.Period;
import dev.meridian.billing.Trial;
import dev.meridian.billing.WalletEntry;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.pricing.Money;
import dev.meridian.billing.pricing.PriceBook;
import dev.meridian.billing.pricing.Rating;
import dev.meridian.billing.tax.TaxPolicy;
import dev.meridian.billing.trials.Trials;
import dev.meridian.billing.usage.service.UsageQueries;
import dev.meridian.common.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Monthly invoices. During the period the draft is computed from the usage so far (visible at any time); at period
 * close it is finalized: numbered, its lines stored, credits taken from the wallet, and from then on immutable.
 */
@ApplicationScoped
public class InvoiceService {

    /**
     * An invoice as the API shows it, draft or final. Trial credit is applied first, then the wallet's credits:
     * {@code amount_due = total - trial_credits_applied - credits_applied}.
     */
    public record InvoiceView(UUID id, String object, String status, String number, UUID tenantId, Instant periodStart,
            Instant periodEnd, String currency, String plan, BillTo billTo, List<LineView> lines, long subtotalMinor,
            int taxRateBp, String taxCountry, boolean reverseCharge, long taxMinor, long totalMinor,
            long trialCreditsAppliedMinor, long creditsAppliedMinor, long amountDueMinor, Instant finalizedAt) {
    }

    /**
     * One line; {@code kind} is {@code fee}, {@code included} or {@code usage} (null on lines finalized before kinds),
     * {@code tier} and {@code tier_up_to} those of a graduated price.
     */
    public record LineView(int lineNo, String meter, String description, long quantity, long unitPriceNanos,
            long amountMinor, String kind, Integer tier, Long tierUpTo) {
    }

    /** Whom the invoice is addressed to (the billing details; a final invoice keeps those of its finalization). */
    public record BillTo(String legalName, List<String> addressLines, String postalCode, String city, String country,
            String vatId) {
    }

    @Inject
    EntityManager em;
    @Inject
    Accounts accounts;
    @Inject
    UsageQueries usage;
    @Inject
    PriceBook prices;
    @Inject
    Clock clock;
    @Inject
    TaxPolicy taxes;
    @Inject
    Trials trials;

    @Transactional
    public List<InvoiceView> list(UUID tenantId) {
        Optional<Account> account = accounts.find(tenantId);
        if (account.isEmpty()) {
            return List.of();
        }
        List<InvoiceView> out = new ArrayList<>();
        Period now = Period.containing(clock.instant());
        if (finalized(tenantId, now).isEmpty()) {
            out.add(draft(account.get(), now));
        }
        Invoice.<Invoice>list("tenantId", tenantId).stream()
                .sorted(Comparator.comparing((Invoice i) -> i.periodStart).reversed())
                .forEach(i -> out.add(view(i)));
        return out;
    }

    /**
     * The upcoming invoice (as Stripe calls it): the current period's draft, its usage so far priced, the same one
     * {@link #list} shows first. 404 before the tenant's billing account exists.
     */
    @Transactional
    public InvoiceView upcoming(UUID tenantId) {
        Account account = accounts.find(tenantId).orElseThrow(() -> ApiException.notFound("Tenant " + tenantId
                + " has no billing account yet; it is opened moments after the tenant is created. Retry shortly."));
        return draft(account, Period.containing(clock.instant()));
    }

    @Transactional
    public InvoiceView get(UUID tenantId, UUID invoiceId) {
        accounts.find(tenantId);
        Invoice invoice = Invoice.<Invoice>find("id = ?1 and tenantId = ?2", invoiceId, tenantId).firstResultOptional()
                .orElseThrow(() -> ApiException.notFound("No invoice " + invoiceId + " of this tenant."));
        return view(invoice);
    }

    /** Finalizes the invoice of a closed period; finalizing again answers the same invoice. */
    @Transactional
    public InvoiceView finalizePeriod(UUID tenantId, YearMonth month, String actor) {
        Period period = Period.of(month);
        if (period.end().isAfter(clock.instant())) {
            throw ApiException.conflict("The period " + month + " is still open; it can be finalized from "
                    + period.end() + ".");
        }
        Account account = accounts.find(tenantId)
                .orElseThrow(() -> ApiException.notFound("No billing account " + tenantId + "."));
        Optional<Invoice> existing = finalized(tenantId, period);
        if (existing.isPresent()) {
            return view(existing.get());
        }
        accounts.lock(tenantId);
        existing = finalized(tenantId, period); // finalized meanwhile by another replica
        if (existing.isPresent()) {
            return view(existing.get());
        }
        InvoiceView draft = draft(account, period);
        Invoice invoice = new Invoice();
        invoice.id = UUID.randomUUID();
        invoice.tenantId = tenantId;
        long seq = ((Number) em.createNativeQuery("select nextval('invoice_number_seq')").getSingleResult())
                .longValue();
        invoice.number = String.format("MER-%d%02d-%06d", month.getYear(), month.getMonthValue(), seq);
        invoice.periodStart = period.start();
        invoice.periodEnd = period.end();
        invoice.region = account.region;
        invoice.currency = draft.currency();
        invoice.plan = account.plan;
        invoice.subtotalMinor = draft.subtotalMinor();
        invoice.taxRateBp = draft.taxRateBp();
        invoice.taxCountry = draft.taxCountry();
        invoice.reverseCharge = draft.reverseCharge();
        invoice.taxMinor = draft.taxMinor();
        invoice.totalMinor = draft.totalMinor();
        invoice.trialCreditsAppliedMinor = draft.trialCreditsAppliedMinor();
        invoice.creditsAppliedMinor = draft.creditsAppliedMinor();
        invoice.amountDueMinor = draft.amountDueMinor();
        BillTo to = draft.billTo();
        if (to != null) {
            invoice.customerLegalName = to.legalName();
            invoice.customerAddress = String.join("\n", to.addressLines());
            invoice.customerPostalCode = to.postalCode();
            invoice.customerCity = to.city();
            invoice.customerCountry = to.country();
            invoice.customerVatId = to.vatId();
        }
        invoice.finalizedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        invoice.persist();
        for (LineView l : draft.lines()) {
            InvoiceLine line = new InvoiceLine();
            line.id = new InvoiceLine.Id(invoice.id, l.lineNo());
            line.tenantId = tenantId;
            line.meter = l.meter();
            line.description = l.description();
            line.quantity = l.quantity();
            line.unitPriceNanos = l.unitPriceNanos();
            line.amountMinor = l.amountMinor();
            line.kind = l.kind();
            line.tier = l.tier();
            line.tierUpTo = l.tierUpTo();
            line.persist();
        }
        if (invoice.creditsAppliedMinor > 0) {
            WalletEntry payment = new WalletEntry();
            payment.id = UUID.randomUUID();
            payment.tenantId = tenantId;
            payment.kind = WalletEntry.INVOICE_PAYMENT;
            payment.amountMinor = -invoice.creditsAppliedMinor;
            payment.currency = invoice.currency;
            payment.invoiceId = invoice.id;
            payment.reason = "applied to invoice " + invoice.number;
            payment.createdBy = actor;
            payment.createdAt = invoice.finalizedAt;
            payment.persist();
        }
        return view(invoice);
    }

    /**
     * The draft of a period: its usage so far, priced, taxed by the billing details as they are now, with the trial
     * credit it may take and the credits the wallet would cover now.
     */
    InvoiceView draft(Account account, Period period) {
        Rating rating = accounts.rating(account);
        Map<String, Long> used = usage.totals(account.tenantId, null, period.start(), period.end());
        List<LineView> lines = new ArrayList<>();
        long subtotal = 0;
        // A period that ended before the account was opened, and in which it used nothing, owes no plan fee: the
        // tenant did not exist yet (an operator closing an old month must not bill a month's subscription for it).
        boolean existed = account.createdAt == null || account.createdAt.isBefore(period.end()) || !used.isEmpty();
        for (Rating.Line l : rating.lines(used)) {
            if (l.meter() == null && !existed) {
                continue;
            }
            lines.add(new LineView(lines.size() + 1, l.meter(), l.description(), l.quantity(), l.unitNanos(),
                    l.amountMinor(), l.kind(), l.tier(), l.upTo()));
            subtotal = Math.addExact(subtotal, l.amountMinor());
        }
        BillingDetails details = BillingDetails.findById(account.tenantId);
        TaxPolicy.Decision tax = taxes.decide(account, details);
        long taxMinor = Money.tax(subtotal, tax.rateBp());
        long total = Math.addExact(subtotal, taxMinor);
        long trial = trialCredit(account, rating, period, tax.rateBp(), total);
        long credits = Math.min(total - trial, Math.max(0, accounts.walletBalance(account.tenantId)));
        BillTo billTo = details == null ? null : new BillTo(details.legalName, details.addressLines(),
                details.postalCode, details.city, details.country, details.vatId);
        return new InvoiceView(null, "invoice", "draft", null, account.tenantId, period.start(), period.end(),
                prices.currencyOf(account.region), account.plan, billTo, lines, subtotal, tax.rateBp(),
                tax.country(), tax.reverseCharge(), taxMinor, total, trial, credits, total - trial - credits, null);
    }

    /**
     * What the trial pays of a period's invoice: what is left of it (after the other periods' invoices), at most the
     * charges (with tax) of the period's usage before the trial ended. Usage after its end never takes from it, however
     * late the invoice is drafted or finalized.
     */
    private long trialCredit(Account account, Rating rating, Period period, int rateBp, long total) {
        Trial trial = trials.find(account.tenantId).orElse(null);
        if (trial == null || total == 0 || !trial.expiresAt.isAfter(period.start())) {
            return 0;
        }
        long remaining = trial.amountMinor - trials.used(account.tenantId, period.start());
        if (remaining <= 0) {
            return 0;
        }
        long eligible = total;
        if (trial.expiresAt.isBefore(period.end())) {
            Map<String, Long> before = usage.totals(account.tenantId, null, period.start(), trial.expiresAt);
            long net = 0;
            for (Rating.Line l : rating.lines(before)) {
                net = Math.addExact(net, l.amountMinor());
            }
            eligible = Math.min(total, Math.addExact(net, Money.tax(net, rateBp)));
        }
        return Math.min(remaining, eligible);
    }

    /** The language the tenant's documents are rendered in (its billing details'; English without). */
    @Transactional
    public String language(UUID tenantId) {
        accounts.find(tenantId);
        BillingDetails details = BillingDetails.findById(tenantId);
        return details == null ? "en" : details.language;
    }

    private Optional<Invoice> finalized(UUID tenantId, Period period) {
        return Invoice.<Invoice>find("tenantId = ?1 and periodStart = ?2", tenantId, period.start())
                .firstResultOptional();
    }

    private InvoiceView view(Invoice i) {
        List<LineView> lines = InvoiceLine.<InvoiceLine>list("id.invoiceId = ?1 and tenantId = ?2 order by id.lineNo",
                        i.id, i.tenantId).stream()
                .map(l -> new LineView(l.id.lineNo(), l.meter, l.description, l.quantity, l.unitPriceNanos,
                        l.amountMinor, l.kind, l.tier, l.tierUpTo))
                .toList();
        BillTo billTo = i.customerLegalName == null ? null : new BillTo(i.customerLegalName,
                i.customerAddress == null || i.customerAddress.isEmpty() ? List.of()
                        : List.of(i.customerAddress.split("\n")),
                i.customerPostalCode, i.customerCity, i.customerCountry, i.customerVatId);
        return new InvoiceView(i.id, "invoice", "final", i.number, i.tenantId, i.periodStart, i.periodEnd, i.currency,
                i.plan, billTo, lines, i.subtotalMinor, i.taxRateBp, i.taxCountry, i.reverseCharge, i.taxMinor,
                i.totalMinor, i.trialCreditsAppliedMinor, i.creditsAppliedMinor, i.amountDueMinor, i.finalizedAt);
    }
}
