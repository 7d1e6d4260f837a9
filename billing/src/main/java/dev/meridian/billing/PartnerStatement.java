package dev.meridian.billing;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A partner's statement of one period and currency, with the terms it was computed with: final and immutable (the
 * database refuses updates and deletes).
 */
@Entity
@Table(name = "partner_statements")
public class PartnerStatement extends PanacheEntityBase {

    public static final String REFERRAL = "referral";
    public static final String RESELLER = "reseller";
    public static final String PAYABLE_TO_PARTNER = "payable_to_partner";
    public static final String RECEIVABLE_FROM_PARTNER = "receivable_from_partner";

    @Id
    public UUID id;
    public String number;
    @Column(name = "partner_id")
    public UUID partnerId;
    @Column(name = "partner_name")
    public String partnerName;
    public String programme;
    @Column(name = "period_start")
    public Instant periodStart;
    @Column(name = "period_end")
    public Instant periodEnd;
    public String currency;
    @Column(name = "share_bp")
    public Integer shareBp;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "share_bp_by_plan")
    public Map<String, Integer> shareBpByPlan;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "share_bp_by_meter")
    public Map<String, Integer> shareBpByMeter;
    @Column(name = "discount_bp")
    public Integer discountBp;
    @Column(name = "net_invoiced_minor")
    public long netInvoicedMinor;
    @Column(name = "credit_notes_minor")
    public long creditNotesMinor;
    @Column(name = "amount_minor")
    public long amountMinor;
    @Column(name = "amount_direction")
    public String amountDirection;
    @Column(name = "finalized_at")
    public Instant finalizedAt;
}
