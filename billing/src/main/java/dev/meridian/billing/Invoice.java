package dev.meridian.billing;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A finalized monthly invoice: numbered and immutable (the database refuses updates and deletes). */
@Entity
@Table(name = "invoices")
public class Invoice extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    public String number;
    @Column(name = "period_start")
    public Instant periodStart;
    @Column(name = "period_end")
    public Instant periodEnd;
    public String region;
    public String currency;
    public String plan;
    @Column(name = "subtotal_minor")
    public long subtotalMinor;
    @Column(name = "tax_rate_bp")
    public int taxRateBp;
    @Column(name = "tax_minor")
    public long taxMinor;
    @Column(name = "total_minor")
    public long totalMinor;
    /** What the trial credit paid, before the wallet's credits. */
    @Column(name = "trial_credits_applied_minor")
    public long trialCreditsAppliedMinor;
    @Column(name = "credits_applied_minor")
    public long creditsAppliedMinor;
    @Column(name = "amount_due_minor")
    public long amountDueMinor;
    @Column(name = "finalized_at")
    public Instant finalizedAt;
    /** The country whose VAT applied (EU VAT regions), or null: the region's own tax. */
    @Column(name = "tax_country")
    public String taxCountry;
    /** No VAT charged: the customer, a business in another EU country, accounts for it (reverse charge). */
    @Column(name = "reverse_charge")
    public boolean reverseCharge;
    @Column(name = "customer_legal_name")
    public String customerLegalName;
    /** The street lines, joined by a newline. */
    @Column(name = "customer_address")
    public String customerAddress;
    @Column(name = "customer_postal_code")
    public String customerPostalCode;
    @Column(name = "customer_city")
    public String customerCity;
    @Column(name = "customer_country")
    public String customerCountry;
    @Column(name = "customer_vat_id")
    public String customerVatId;
}
