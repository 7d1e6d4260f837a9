package dev.meridian.billing;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.UUID;

/** One line of a finalized invoice: a meter's tier (or the plan fee), its quantity, unit price and amount. */
@Entity
@Table(name = "invoice_lines")
public class InvoiceLine extends PanacheEntityBase {

    @Embeddable
    public record Id(@Column(name = "invoice_id") UUID invoiceId, @Column(name = "line_no") int lineNo)
            implements Serializable {
    }

    @EmbeddedId
    public Id id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    public String meter;
    public String description;
    public long quantity;
    @Column(name = "unit_price_nanos")
    public long unitPriceNanos;
    @Column(name = "amount_minor")
    public long amountMinor;
    /** {@code fee}, {@code included} or {@code usage}; null on lines finalized before lines had kinds. */
    public String kind;
    /** The tier of a graduated price (1-based), null for a flat one. */
    public Integer tier;
    /** The tier's upper bound, null for the last tier or a flat price. */
    @Column(name = "tier_up_to")
    public Long tierUpTo;
}
