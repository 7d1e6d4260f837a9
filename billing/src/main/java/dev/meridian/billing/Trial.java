package dev.meridian.billing;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * An account's trial credit: granted once, when the account opens on a self-service plan, in its currency. It pays
 * for usage before {@code expiresAt} only, ahead of the wallet's credits; what is left then lapses.
 */
@Entity
@Table(name = "trials")
public class Trial extends PanacheEntityBase {

    @Id
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "amount_minor")
    public long amountMinor;
    public String currency;
    @Column(name = "granted_at")
    public Instant grantedAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "ending_alerted_at")
    public Instant endingAlertedAt;
}
