package dev.meridian.models;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** A tenant's own model: a name unique within the tenant, under which immutable versions are registered. */
@Entity
@Table(name = "tenant_models")
public class TenantModel extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    public String name;
    public String description;
    @Column(name = "created_at")
    public Instant createdAt;

    public static Optional<TenantModel> findByName(UUID tenantId, String name) {
        return find("tenantId = ?1 and name = ?2", tenantId, name).firstResultOptional();
    }
}
