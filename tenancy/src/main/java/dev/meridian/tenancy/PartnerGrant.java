package dev.meridian.tenancy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A customer tenant's consent that a partner may act on it with a role, until revoked. */
@Entity
@Table(name = "partner_grants")
public class PartnerGrant extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "partner_id")
    public UUID partnerId;
    public String role;
    @Column(name = "granted_by")
    public String grantedBy;
    @Column(name = "granted_at")
    public Instant grantedAt;
    @Column(name = "revoked_by")
    public String revokedBy;
    @Column(name = "revoked_at")
    public Instant revokedAt;

    public Role role() {
        return Role.of(role);
    }
}
