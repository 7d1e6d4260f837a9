package dev.meridian.tenancy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A partner's OAuth 2.0 client credential: a confidential Keycloak client ({@code clientId}) whose tokens carry the
 * partner's id; {@code subject} is its service-account user, the {@code sub} of those tokens.
 */
@Entity
@Table(name = "partner_credentials")
public class PartnerCredential extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "partner_id")
    public UUID partnerId;
    public String name;
    @Column(name = "client_id")
    public String clientId;
    public String subject;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "revoked_at")
    public Instant revokedAt;
}
