package dev.meridian.tenancy;

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

/** One change to a tenant: who did what to which thing, when. Never holds a secret. */
@Entity
@Table(name = "audit_events")
public class AuditEvent extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "actor_id")
    public String actorId;
    @Column(name = "actor_email")
    public String actorEmail;
    public String action;
    @Column(name = "target_type")
    public String targetType;
    @Column(name = "target_id")
    public String targetId;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> details;
    /** The partner the action was taken for ("partner P for tenant T"), if any. */
    @Column(name = "partner_id")
    public UUID partnerId;
    @Column(name = "occurred_at")
    public Instant occurredAt;
}
