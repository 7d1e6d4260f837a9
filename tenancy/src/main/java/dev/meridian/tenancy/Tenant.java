package dev.meridian.tenancy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A customer of Meridian: it has one home region, a plan, and is active or suspended by an operator; an owner may
 * close it ({@code closing}, keys revoked, cancellable until {@code eraseAfter}), after which it is {@code erased}:
 * renamed, without members, keys or audit trail, kept only as the pseudonymous anchor of its invoices.
 */
@Entity
@Table(name = "tenants")
public class Tenant extends PanacheEntityBase {

    public static final String ACTIVE = "active";
    public static final String SUSPENDED = "suspended";
    public static final String CLOSING = "closing";
    public static final String ERASED = "erased";

    @Id
    public UUID id;
    public String name;
    @Column(name = "home_region")
    public String homeRegion;
    public String plan;
    public String status;
    @Column(name = "transit_allowed")
    public boolean transitAllowed;
    /** The partner that created and owns the tenant; null for a customer's own. */
    @Column(name = "partner_id")
    public UUID partnerId;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    /** When an owner closed the tenant; null unless it is closing or erased. */
    @Column(name = "closed_at")
    public Instant closedAt;
    /** When a closing tenant's data is erased unless the closure is cancelled before. */
    @Column(name = "erase_after")
    public Instant eraseAfter;
    @Column(name = "erased_at")
    public Instant erasedAt;
    /** The status a cancelled closure returns to. */
    @Column(name = "status_before_closure")
    public String statusBeforeClosure;
}
