package dev.meridian.tenancy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A reseller or integrator that acts for many tenants in the regions it may sell in. */
@Entity
@Table(name = "partners")
public class Partner extends PanacheEntityBase {

    public static final String REFERRAL = "referral";
    public static final String RESELLER = "reseller";

    @Id
    public UUID id;
    public String name;
    @Column(name = "contact_email")
    public String contactEmail;
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]")
    public String[] regions;
    public String programme;
    @Column(name = "share_bp")
    public Integer shareBp;
    @Column(name = "discount_bp")
    public Integer discountBp;
    /** The price list: the plans the partner may put its tenants on. */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]")
    public String[] plans;
    /** A referral partner's share per plan, overriding {@link #shareBp}. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "share_bp_by_plan")
    public Map<String, Integer> shareBpByPlan;
    /** A referral partner's share per meter, overriding the plan's and {@link #shareBp}. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "share_bp_by_meter")
    public Map<String, Integer> shareBpByMeter;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "created_at")
    public Instant createdAt;

    public boolean maySellIn(String region) {
        for (String r : regions) {
            if (r.equals(region)) {
                return true;
            }
        }
        return false;
    }

    public boolean offers(String plan) {
        return Arrays.asList(plans).contains(plan);
    }
}
