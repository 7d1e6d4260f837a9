package dev.meridian.billing;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** A tenant's billing account: home region (so currency and tax), plan, budgets and the budget webhook. */
@Entity
@Table(name = "accounts")
public class Account extends PanacheEntityBase {

    public static final String FREE = "free";
    public static final String PAYG = "payg";
    public static final String SUBSCRIPTION = "subscription";
    public static final String ENTERPRISE = "enterprise";
    /** The plans billing offers. */
    public static final Set<String> PLANS = Set.of(FREE, PAYG, SUBSCRIPTION, ENTERPRISE);

    @Id
    @Column(name = "tenant_id")
    public UUID tenantId;
    public String region;
    public String plan;
    /**
     * How many times billing set the plan (an operator, or billing refusing a sign-up plan it does not offer); the
     * version of the last {@code billing.plans} event. 0: the plan the account was opened with.
     */
    @Column(name = "plan_version")
    public long planVersion;
    @Column(name = "soft_budget_minor")
    public Long softBudgetMinor;
    @Column(name = "hard_budget_minor")
    public Long hardBudgetMinor;
    @Column(name = "webhook_url")
    public String webhookUrl;
    @Column(name = "webhook_secret")
    public String webhookSecret;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
