package dev.meridian.billing;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One owned tenant's line of a partner statement: what was invoiced and credited, and the partner's amount. */
@Entity
@Table(name = "partner_statement_lines")
public class PartnerStatementLine extends PanacheEntityBase {

    @Embeddable
    public record Id(@Column(name = "statement_id") UUID statementId, @Column(name = "tenant_id") UUID tenantId)
            implements Serializable {
    }

    @EmbeddedId
    public Id id;
    @Column(name = "partner_id")
    public UUID partnerId;
    @Column(name = "tenant_name")
    public String tenantName;
    @Column(name = "home_region")
    public String homeRegion;
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "invoice_ids", columnDefinition = "uuid[]")
    public UUID[] invoiceIds;
    @Column(name = "net_invoiced_minor")
    public long netInvoicedMinor;
    @Column(name = "credit_notes_minor")
    public long creditNotesMinor;
    @Column(name = "rate_bp")
    public int rateBp;
    @Column(name = "amount_minor")
    public long amountMinor;
}
