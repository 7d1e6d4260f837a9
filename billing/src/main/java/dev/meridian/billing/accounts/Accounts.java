package dev.meridian.billing.accounts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.Account;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.billing.outbox.Outbox;
import dev.meridian.billing.pricing.PriceBook;
import dev.meridian.billing.pricing.Rating;
import dev.meridian.billing.trials.Trials;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.events.PlanChange;
import dev.meridian.common.tenant.TenantSession;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Billing accounts. A tenant's account opens when tenancy announces the new tenant ({@code tenant.created}), on the
 * plan and in the home region it was created with; or, if billing meets the tenant first (its first usage event,
 * lease or API call), in the region it was met in and on the default plan. Operators change the plan later. All
 * methods expect the tenant bound to the transaction (they bind it themselves).
 */
@ApplicationScoped
public class Accounts {

    /**
     * An erased tenant's personal data in billing (tenancy's {@code tenant.erased}): its billing details keep only
     * what the tax of a late invoice needs (country, language), under a pseudonym; its budget webhook is dropped.
     * Finalized invoices and credit notes keep the addressee they were issued to, as the law requires of issued
     * invoices; usage figures and wallet entries carry no personal data. Returns whether there was anything to forget;
     * a replay changes nothing.
     */
    @Transactional
    public boolean forget(UUID tenantId) {
        session.bindTenant(tenantId);
        int changed = em.createNativeQuery("update accounts set webhook_url = null, webhook_secret = null,"
                        + " updated_at = :now where tenant_id = :t and (webhook_url is not null or webhook_secret is not null)")
                .setParameter("t", tenantId).setParameter("now", clock.instant()).executeUpdate();
        changed += em.createNativeQuery("update billing_details set legal_name = :pseudonym, address = '',"
                        + " postal_code = null, city = null, vat_id = null, updated_by = 'erased', updated_at = :now"
                        + " where tenant_id = :t and legal_name <> :pseudonym")
                .setParameter("t", tenantId).setParameter("pseudonym", "Erased customer " + tenantId)
                .setParameter("now", clock.instant()).executeUpdate();
        return changed > 0;
    }

    /** What {@link #openOnSignUp} did with the plan a tenant was created with. */
    public enum SignUp {
        /** The account opened on the sign-up plan. */
        OPENED,
        /** The account billing had opened on its default plan moved to the sign-up plan. */
        ADOPTED,
        /** The account already had the sign-up plan (a replay, or the default plan). */
        UNCHANGED,
        /** The account holds a plan billing set (an operator's): it stays, and tenancy follows it by version. */
        KEPT,
        /** Billing does not offer the plan: the account keeps billing's plan, published so that tenancy follows. */
        REFUSED,
        /** No account, and billing has no such region to open one in. */
        UNKNOWN_REGION
    }

    @Inject
    EntityManager em;
    @Inject
    TenantSession session;
    @Inject
    BillingConfig config;
    @Inject
    PriceBook prices;
    @Inject
    Outbox outbox;
    @Inject
    ObjectMapper json;
    @Inject
    Clock clock;
    @Inject
    Trials trials;

    @Transactional(Transactional.TxType.MANDATORY)
    public Account open(UUID tenantId, String region) {
        session.bindTenant(tenantId);
        Account existing = Account.findById(tenantId);
        if (existing != null) {
            return existing;
        }
        if (region == null || !config.regions().containsKey(region)) {
            throw ApiException.notFound("No billing account " + tenantId + " yet: it opens with the tenant's first"
                    + " usage" + (region == null ? ", or send the tenant's home `region` to open it now."
                            : "; `" + region + "` is not a region of this billing service " + config.regions().keySet()
                                    + "."));
        }
        em.createNativeQuery("insert into accounts (tenant_id, region, plan, created_at) values (:t, :r, :p, :now)"
                        + " on conflict do nothing")
                .setParameter("t", tenantId).setParameter("r", region).setParameter("p", config.defaultPlan())
                .setParameter("now", clock.instant())
                .executeUpdate();
        return Account.findById(tenantId);
    }

    /**
     * Opens the account of a tenant tenancy has created, in its home region and on the plan it was created with. An
     * account billing opened on its own default meanwhile (plan version 0: a usage event or an API call came first)
     * moves to that plan. A plan billing set (version 1 or more) is never overridden: an operator's later change
     * wins, and tenancy already follows it by version. A plan billing does not offer is refused: the account keeps
     * billing's plan, which is published on {@code billing.plans} so that tenancy's copy follows. An account on a
     * trial plan gets its trial credit ({@link Trials#grant}). A replay changes nothing.
     */
    @Transactional
    public SignUp openOnSignUp(UUID tenantId, String region, String plan) {
        session.bindTenant(tenantId);
        boolean offered = Account.PLANS.contains(plan);
        int opened = 0;
        if (config.regions().containsKey(region)) {
            opened = em.createNativeQuery("insert into accounts (tenant_id, region, plan, created_at) values (:t, :r, :p, :now)"
                            + " on conflict do nothing")
                    .setParameter("t", tenantId).setParameter("r", region)
                    .setParameter("p", offered ? plan : config.defaultPlan())
                    .setParameter("now", clock.instant())
                    .executeUpdate();
        } else if (Account.findById(tenantId) == null) {
            return SignUp.UNKNOWN_REGION;
        }
        lock(tenantId);
        Account account = Account.findById(tenantId);
        if (account.planVersion > 0) {
            return SignUp.KEPT;
        }
        SignUp outcome;
        if (!offered) {
            setPlan(account, account.plan);
            outcome = SignUp.REFUSED;
        } else if (opened == 1) {
            outcome = SignUp.OPENED;
        } else if (plan.equals(account.plan)) {
            outcome = SignUp.UNCHANGED;
        } else {
            account.plan = plan;
            account.updatedAt = clock.instant();
            outcome = SignUp.ADOPTED;
        }
        // a sign-up on a self-service plan starts a trial (a replay finds it granted and grants nothing)
        trials.grant(account);
        return outcome;
    }

    /**
     * Sets the plan as billing's word on it: counts it in {@code plan_version} and writes the {@link PlanChange} to
     * the outbox in the caller's transaction (published on {@code billing.plans} after the commit, for tenancy's
     * copy). The caller holds the account's {@link #lock}.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public PlanChange setPlan(Account account, String plan) {
        account.plan = plan;
        account.planVersion++;
        account.updatedAt = clock.instant();
        var change = new PlanChange(UUID.randomUUID(), account.tenantId, plan, account.planVersion,
                account.updatedAt);
        try {
            outbox.write(PlanChange.TOPIC, account.tenantId.toString(), json.writeValueAsString(change));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + change, e);
        }
        return change;
    }

    /**
     * Puts the tenant on {@code plan} from now on (an operator's or an owning partner's change, validated by the
     * caller), with the enterprise prices in {@code custom} (empty: none), opening the account in {@code region} if
     * billing has not met the tenant yet. Every change is published, even to the same plan: it is billing's statement
     * of the plan, and it brings tenancy's copy back in line whatever happened to it before.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Account changePlan(UUID tenantId, String region, String plan, Map<String, Long> custom) {
        Account account = open(tenantId, region);
        lock(tenantId);
        setPlan(account, plan);
        em.createNativeQuery("delete from custom_prices where tenant_id = :t").setParameter("t", tenantId)
                .executeUpdate();
        custom.forEach((meter, nanos) -> em.createNativeQuery("insert into custom_prices (tenant_id, meter,"
                        + " unit_price_nanos) values (:t, :m, :p)")
                .setParameter("t", tenantId).setParameter("m", meter).setParameter("p", nanos).executeUpdate());
        return account;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<Account> find(UUID tenantId) {
        session.bindTenant(tenantId);
        return Account.findByIdOptional(tenantId);
    }

    /** Locks the account row until the transaction ends: leases and invoice payments of a tenant run one by one. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void lock(UUID tenantId) {
        em.createNativeQuery("select tenant_id from accounts where tenant_id = :t for update")
                .setParameter("t", tenantId).getResultList();
        em.refresh(Account.findById(tenantId));
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public Rating rating(Account account) {
        Map<String, Long> custom = new HashMap<>();
        for (Object row : em.createNativeQuery("select meter, unit_price_nanos from custom_prices where tenant_id = :t")
                .setParameter("t", account.tenantId).getResultList()) {
            Object[] r = (Object[]) row;
            custom.put((String) r[0], ((Number) r[1]).longValue());
        }
        return prices.ratingOf(account, custom);
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public long walletBalance(UUID tenantId) {
        Number sum = (Number) em.createNativeQuery("select coalesce(sum(amount_minor), 0) from wallet_entries"
                + " where tenant_id = :t").setParameter("t", tenantId).getSingleResult();
        return sum.longValue();
    }
}
