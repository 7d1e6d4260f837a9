package dev.meridian.tenancy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A customer of Meridian: it has one home region, a plan, and is active or suspended. */
@Entity
@Table(name = "tenants")
public class Tenant extends PanacheEntityBase {

    public static final String ACTIVE = "active";
    public static final String SUSPENDED = "suspended";

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
}
