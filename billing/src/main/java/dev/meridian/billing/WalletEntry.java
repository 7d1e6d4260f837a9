package dev.meridian.billing;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One movement of a tenant's prepaid wallet: a credit grant or credit note (+), or a payment of an invoice (−). */
@Entity
@Table(name = "wallet_entries")
public class WalletEntry extends PanacheEntityBase {

    public static final String CREDIT_GRANT = "credit_grant";
    public static final String CREDIT_NOTE = "credit_note";
    public static final String INVOICE_PAYMENT = "invoice_payment";

    @Id
    public UUID id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    public String kind;
    @Column(name = "amount_minor")
    public long amountMinor;
    public String currency;
    @Column(name = "invoice_id")
    public UUID invoiceId;
    public String reason;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "created_at")
    public Instant createdAt;
    /** A credit note's number (MER-CN-yyyymm-nnnnnn); null on other entries and on credit notes issued before. */
    public String number;
}
