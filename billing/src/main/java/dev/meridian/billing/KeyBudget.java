package dev.meridian.billing;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.UUID;

/** Budgets of one API key, inside its tenant's. */
@Entity
@Table(name = "key_budgets")
public class KeyBudget extends PanacheEntityBase {

    @Embeddable
    public record Id(@Column(name = "tenant_id") UUID tenantId, @Column(name = "key_id") UUID keyId)
            implements Serializable {
    }

    @EmbeddedId
    public Id id;
    @Column(name = "soft_budget_minor")
    public Long softBudgetMinor;
    @Column(name = "hard_budget_minor")
    public Long hardBudgetMinor;
}
