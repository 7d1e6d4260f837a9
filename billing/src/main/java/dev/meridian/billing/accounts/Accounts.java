package dev.meridian.billing.accounts;

import dev.meridian.billing.Account;
import dev.meridian.billing.access.TenantSession;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.billing.errors.ApiException;
import dev.meridian.billing.pricing.PriceBook;
import dev.meridian.billing.pricing.Rating;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Billing accounts. Billing opens a tenant's account itself the first time it meets the tenant (its first usage
 * event, lease or API call), in the region it was met in and on the default plan; operators change the plan later.
 * All methods expect the tenant bound to the transaction (they bind it themselves).
 */
@ApplicationScoped
public class Accounts {

    @Inject
    EntityManager em;
    @Inject
    TenantSession session;
    @Inject
    BillingConfig config;
    @Inject
    PriceBook prices;

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
        em.createNativeQuery("insert into accounts (tenant_id, region, plan) values (:t, :r, :p)"
                        + " on conflict do nothing")
                .setParameter("t", tenantId).setParameter("r", region).setParameter("p", config.defaultPlan())
                .executeUpdate();
        return Account.findById(tenantId);
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
