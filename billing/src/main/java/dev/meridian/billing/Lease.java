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

/** A granted slice of a tenant's (or key's) remaining budget and quotas, reserved until settled or expired. */
@Entity
@Table(name = "leases")
public class Lease extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "key_id")
    public UUID keyId;
    @Column(name = "gateway_id")
    public String gatewayId;
    public String region;
    @Column(name = "budget_nanos")
    public Long budgetNanos;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Long> quantities;
    @Column(name = "granted_at")
    public Instant grantedAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "settled_at")
    public Instant settledAt;
    @Column(name = "spent_nanos")
    public Long spentNanos;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "spent_quantities")
    public Map<String, Long> spentQuantities;
}
