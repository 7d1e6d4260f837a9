package dev.meridian.billing.invoices.service;

import dev.meridian.billing.Account;
import dev.meridian.billing.Invoice;
import dev.meridian.billing.InvoiceLine;
import dev.meridian.billing.Period;
import dev.meridian.billing.WalletEntry;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.pricing.Money;
import dev.meridian.billing.pricing.PriceBook;
import dev.meridian.billing.pricing.Rating;
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

    /** An invoice as the API shows it, draft or final. */
    public record InvoiceView(UUID id, String object, String status, String number, UUID tenantId, Instant periodStart,
            Instant periodEnd, String currency, String plan, List<LineView> lines, long subtotalMinor, int taxRateBp,
            long taxMinor, long totalMinor, long creditsAppliedMinor, long amountDueMinor, Instant finalizedAt) {
    }

    public record LineView(int lineNo, String meter, String description, long quantity, long unitPriceNanos,
            long amountMinor) {
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
        invoice.taxMinor = draft.taxMinor();
        invoice.totalMinor = draft.totalMinor();
        invoice.creditsAppliedMinor = draft.creditsAppliedMinor();
        invoice.amountDueMinor = draft.amountDueMinor();
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

    /** The draft of a period: its usage so far, priced, with the credits the wallet would cover now. */
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
                    l.amountMinor()));
            subtotal = Math.addExact(subtotal, l.amountMinor());
        }
        int rate = prices.taxRateBp(account.region);
        long tax = Money.tax(subtotal, rate);
        long total = Math.addExact(subtotal, tax);
        long credits = Math.min(total, Math.max(0, accounts.walletBalance(account.tenantId)));
        return new InvoiceView(null, "invoice", "draft", null, account.tenantId, period.start(), period.end(),
                prices.currencyOf(account.region), account.plan, lines, subtotal, rate, tax, total, credits,
                total - credits, null);
    }

    private Optional<Invoice> finalized(UUID tenantId, Period period) {
        return Invoice.<Invoice>find("tenantId = ?1 and periodStart = ?2", tenantId, period.start())
                .firstResultOptional();
    }

    private InvoiceView view(Invoice i) {
        List<LineView> lines = InvoiceLine.<InvoiceLine>list("id.invoiceId = ?1 and tenantId = ?2 order by id.lineNo",
                        i.id, i.tenantId).stream()
                .map(l -> new LineView(l.id.lineNo(), l.meter, l.description, l.quantity, l.unitPriceNanos,
                        l.amountMinor))
                .toList();
        return new InvoiceView(i.id, "invoice", "final", i.number, i.tenantId, i.periodStart, i.periodEnd, i.currency,
                i.plan, lines, i.subtotalMinor, i.taxRateBp, i.taxMinor, i.totalMinor, i.creditsAppliedMinor,
                i.amountDueMinor, i.finalizedAt);
    }
}
