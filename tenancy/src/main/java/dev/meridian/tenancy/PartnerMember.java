package dev.meridian.tenancy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One of a partner's people: a Keycloak user acting for the partner with a partner role. */
@Entity
@Table(name = "partner_members")
public class PartnerMember extends PanacheEntityBase {

    public static final String ADMIN = "partner-admin";
    public static final String SUPPORT = "partner-support";

    @Id
    public UUID id;
    @Column(name = "partner_id")
    public UUID partnerId;
    @Column(name = "user_id")
    public String userId;
    public String email;
    public String role;
    @Column(name = "added_by")
    public String addedBy;
    @Column(name = "created_at")
    public Instant createdAt;
}
