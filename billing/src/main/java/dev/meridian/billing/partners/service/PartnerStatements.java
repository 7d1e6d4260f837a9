package dev.meridian.billing.partners.service;

import dev.meridian.billing.Invoice;
import dev.meridian.billing.InvoiceLine;
import dev.meridian.billing.PartnerStatement;
import dev.meridian.billing.PartnerStatementLine;
import dev.meridian.billing.Period;
import dev.meridian.billing.WalletEntry;
import dev.meridian.billing.access.TenancyClient.OwnedTenant;
import dev.meridian.billing.access.TenancyClient.Partner;
import dev.meridian.billing.access.TenancyClient;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.invoices.service.InvoiceService;
import dev.meridian.billing.pricing.Money;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.tenant.TenantSession;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Partner statements: per partner, period and currency, what the partner's owned tenants were invoiced and credited,
 * and the partner's amount. Referral: Meridian owes the partner its share of each invoice line (the meter's rate, else
 * the plan's, else the default) less its share of each credit note (the credited invoice's plan rate, else the
 * default). Reseller: the partner owes Meridian each tenant's net less credit notes, less its discount. Each share is
 * rounded once, half even ({@link Money#partOf}). Counted: the invoices of the period, finalized, before tax; and the
 * credit notes issued in the period (on any invoice of the tenant), so a correction after a statement closed is
 * counted in the next one. Only tenants the partner owns count, never those that merely granted it access.
 */
@ApplicationScoped
public class PartnerStatements {

    public record StatementView(UUID id, String object, String number, UUID partnerId, String partnerName,
            String programme, String status, Instant periodStart, Instant periodEnd, String currency,
            List<LineView> lines, long netInvoicedMinor, long creditNotesMinor, long amountMinor,
            String amountDirection, Instant finalizedAt) {
    }

    /** {@code rate_bp}: the referral share (the plan's, else the default), or what a reseller pays (100 % − discount). */
    public record LineView(UUID tenantId, String tenantName, String homeRegion, List<UUID> invoiceIds,
            long netInvoicedMinor, long creditNotesMinor, int rateBp, long amountMinor) {
    }

    private static final int WHOLE = 10_000;

    @Inject
    TenancyClient tenancy;
    @Inject
    InvoiceService invoices;
    @Inject
    Accounts accounts;
    @Inject
    TenantSession session;
    @Inject
    EntityManager em;
    @Inject
    Clock clock;

    /** The partner's terms and owned tenants from tenancy, or 404. */
    public Partner partner(UUID partnerId) {
        return tenancy.partner(partnerId).orElseThrow(() -> ApiException.notFound("No partner " + partnerId + "."));
    }

    /**
     * Closes the partner's statements of {@code month}, one per currency its owned tenants were billed in: first
     * finalizes those tenants' invoices of the month (idempotent), then writes the statements not written yet.
     * Closing again answers the same statements; a statement once written never changes.
     */
    public List<StatementView> close(Partner partner, YearMonth month, String actor) {
        Period period = Period.of(month);
        if (period.end().isAfter(clock.instant())) {
            throw ApiException.conflict("The period " + month + " is still open; its partner statements can be closed"
                    + " from " + period.end() + ".");
        }
        for (OwnedTenant t : partner.tenants()) {
            if (QuarkusTransaction.requiringNew().call(() -> accounts.find(t.id()).isPresent())) {
                invoices.finalizePeriod(t.id(), month, actor);
            }
        }
        return QuarkusTransaction.requiringNew().call(() -> write(partner, period));
    }

    @Transactional
    public List<StatementView> list(UUID partnerId, Optional<YearMonth> month) {
        bindPartner(partnerId);
        List<PartnerStatement> found = month.isPresent()
                ? PartnerStatement.list("partnerId = ?1 and periodStart = ?2", partnerId,
                        Period.of(month.get()).start())
                : PartnerStatement.list("partnerId", partnerId);
        return found.stream()
                .sorted(Comparator.comparing((PartnerStatement s) -> s.periodStart).reversed()
                        .thenComparing(s -> s.currency))
                .map(this::view).toList();
    }

    @Transactional
    public StatementView get(UUID partnerId, UUID statementId) {
        bindPartner(partnerId);
        return PartnerStatement.<PartnerStatement>find("id = ?1 and partnerId = ?2", statementId, partnerId)
                .firstResultOptional().map(this::view)
                .orElseThrow(() -> ApiException.notFound("No statement " + statementId + " of partner " + partnerId
                        + "."));
    }

    private List<StatementView> write(Partner partner, Period period) {
        bindPartner(partner.id());
        // one close of this partner's period at a time, across replicas; the unique key backs it up
        em.createNativeQuery("select pg_advisory_xact_lock(hashtextextended('partner-statement:' || :p || ':' || :m,"
                        + " 0))")
                .setParameter("p", partner.id().toString()).setParameter("m", period.month().toString())
                .getSingleResult();
        List<PartnerStatement> existing = new ArrayList<>(PartnerStatement.list("partnerId = ?1 and periodStart = ?2",
                partner.id(), period.start()));
        Map<String, List<PartnerStatementLine>> byCurrency = new TreeMap<>();
        for (OwnedTenant tenant : partner.tenants()) {
            for (var entry : lines(partner, tenant, period).entrySet()) {
                byCurrency.computeIfAbsent(entry.getKey(), c -> new ArrayList<>()).add(entry.getValue());
            }
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        for (var entry : byCurrency.entrySet()) {
            if (existing.stream().anyMatch(s -> s.currency.equals(entry.getKey()))) {
                continue; // final: closing again changes nothing
            }
            existing.add(persist(partner, period, entry.getKey(), entry.getValue(), now));
        }
        return existing.stream().sorted(Comparator.comparing(s -> s.currency)).map(this::view).toList();
    }

    private PartnerStatement persist(Partner partner, Period period, String currency, List<PartnerStatementLine> lines,
            Instant now) {
        PartnerStatement s = new PartnerStatement();
        s.id = UUID.randomUUID();
        long seq = ((Number) em.createNativeQuery("select nextval('partner_statement_number_seq')").getSingleResult())
                .longValue();
        YearMonth month = period.month();
        s.number = String.format("PST-%d%02d-%06d", month.getYear(), month.getMonthValue(), seq);
        s.partnerId = partner.id();
        s.partnerName = partner.name();
        s.programme = partner.programme();
        s.periodStart = period.start();
        s.periodEnd = period.end();
        s.currency = currency;
        s.shareBp = partner.shareBp();
        s.shareBpByPlan = partner.shareBpByPlan();
        s.shareBpByMeter = partner.shareBpByMeter();
        s.discountBp = partner.discountBp();
        s.amountDirection = PartnerStatement.RESELLER.equals(partner.programme())
                ? PartnerStatement.RECEIVABLE_FROM_PARTNER : PartnerStatement.PAYABLE_TO_PARTNER;
        s.finalizedAt = now;
        for (PartnerStatementLine l : lines) {
            s.netInvoicedMinor = Math.addExact(s.netInvoicedMinor, l.netInvoicedMinor);
            s.creditNotesMinor = Math.addExact(s.creditNotesMinor, l.creditNotesMinor);
            s.amountMinor = Math.addExact(s.amountMinor, l.amountMinor);
        }
        s.persist();
        em.flush(); // the lines reference the statement
        for (PartnerStatementLine l : lines) {
            l.id = new PartnerStatementLine.Id(s.id, l.id.tenantId());
            l.partnerId = partner.id();
            l.persist();
        }
        return s;
    }

    /**
     * One tenant's lines of the period, by currency (one, its home region's, unless the region's currency changed):
     * its finalized invoice of the period and the credit notes issued in the period. None if it had neither.
     */
    private Map<String, PartnerStatementLine> lines(Partner partner, OwnedTenant tenant, Period period) {
        session.bindTenant(tenant.id());
        boolean referral = !PartnerStatement.RESELLER.equals(partner.programme());
        Map<String, PartnerStatementLine> out = new TreeMap<>();
        Map<String, Long> shares = new TreeMap<>();
        Optional<Invoice> invoice = Invoice.<Invoice>find("tenantId = ?1 and periodStart = ?2", tenant.id(),
                period.start()).firstResultOptional();
        if (invoice.isPresent()) {
            Invoice i = invoice.get();
            PartnerStatementLine line = line(out, tenant, i.currency, referral ? planRate(partner, i.plan)
                    : WHOLE - orZero(partner.discountBp()));
            line.invoiceIds = new UUID[] {i.id};
            line.netInvoicedMinor = i.subtotalMinor;
            if (referral) {
                long share = 0;
                for (InvoiceLine l : InvoiceLine.<InvoiceLine>list("id.invoiceId = ?1 and tenantId = ?2", i.id,
                        tenant.id())) {
                    share = Math.addExact(share, Money.partOf(l.amountMinor, lineRate(partner, l.meter, i.plan)));
                }
                shares.merge(i.currency, share, Math::addExact);
            }
        }
        List<WalletEntry> creditNotes = WalletEntry.list("tenantId = ?1 and kind = ?2 and createdAt >= ?3"
                + " and createdAt < ?4", tenant.id(), WalletEntry.CREDIT_NOTE, period.start(), period.end());
        for (WalletEntry note : creditNotes) {
            Invoice credited = Invoice.findById(note.invoiceId);
            String plan = credited == null ? null : credited.plan;
            PartnerStatementLine line = line(out, tenant, note.currency, referral ? planRate(partner, plan)
                    : WHOLE - orZero(partner.discountBp()));
            line.creditNotesMinor = Math.addExact(line.creditNotesMinor, note.amountMinor);
            if (referral) {
                shares.merge(note.currency, -Money.partOf(note.amountMinor, planRate(partner, plan)), Math::addExact);
            }
        }
        for (var e : out.entrySet()) {
            PartnerStatementLine l = e.getValue();
            l.amountMinor = referral ? shares.getOrDefault(e.getKey(), 0L)
                    : Money.partOf(Math.subtractExact(l.netInvoicedMinor, l.creditNotesMinor), l.rateBp);
        }
        return out;
    }

    private static PartnerStatementLine line(Map<String, PartnerStatementLine> lines, OwnedTenant tenant,
            String currency, int rateBp) {
        return lines.computeIfAbsent(currency, c -> {
            PartnerStatementLine l = new PartnerStatementLine();
            l.id = new PartnerStatementLine.Id(null, tenant.id());
            l.tenantName = tenant.name() == null ? "" : tenant.name();
            l.homeRegion = tenant.homeRegion() == null ? "" : tenant.homeRegion();
            l.invoiceIds = new UUID[0];
            l.rateBp = rateBp;
            return l;
        });
    }

    /** The referral share of an invoice line: the meter's rate, else the plan's, else the default. */
    private static int lineRate(Partner partner, String meter, String plan) {
        Integer byMeter = meter == null ? null : partner.shareBpByMeter().get(meter);
        return byMeter != null ? byMeter : planRate(partner, plan);
    }

    private static int planRate(Partner partner, String plan) {
        Integer byPlan = plan == null ? null : partner.shareBpByPlan().get(plan);
        return byPlan != null ? byPlan : orZero(partner.shareBp());
    }

    private static int orZero(Integer bp) {
        return bp == null ? 0 : bp;
    }

    /** Row-level security: this transaction reads and writes the statements of this partner only. */
    private void bindPartner(UUID partnerId) {
        em.createNativeQuery("select set_config('app.partner_id', :value, true)")
                .setParameter("value", partnerId.toString()).getSingleResult();
    }

    private StatementView view(PartnerStatement s) {
        List<LineView> lines = PartnerStatementLine.<PartnerStatementLine>list("id.statementId = ?1 and partnerId = ?2",
                        s.id, s.partnerId).stream()
                .sorted(Comparator.comparing((PartnerStatementLine l) -> l.tenantName)
                        .thenComparing(l -> l.id.tenantId()))
                .map(l -> new LineView(l.id.tenantId(), l.tenantName, l.homeRegion, Arrays.asList(l.invoiceIds),
                        l.netInvoicedMinor, l.creditNotesMinor, l.rateBp, l.amountMinor))
                .toList();
        return new StatementView(s.id, "partner.statement", s.number, s.partnerId, s.partnerName, s.programme, "final",
                s.periodStart, s.periodEnd, s.currency, lines, s.netInvoicedMinor, s.creditNotesMinor, s.amountMinor,
                s.amountDirection, s.finalizedAt);
    }
}
