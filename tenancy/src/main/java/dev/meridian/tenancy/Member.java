package dev.meridian.tenancy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A person's membership of a tenant; {@code userId} (the Keycloak subject) is set once an invitation is accepted. */
@Entity
@Table(name = "members")
public class Member extends PanacheEntityBase {

    public static final String INVITED = "invited";
    public static final String ACTIVE = "active";

    @Id
    public UUID id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "user_id")
    public String userId;
    public String email;
    public String role;
    public String status;
    @Column(name = "invited_by")
    public String invitedBy;
    @Column(name = "created_at")
    public Instant createdAt;

    public Role role() {
        return Role.of(role);
    }
}
