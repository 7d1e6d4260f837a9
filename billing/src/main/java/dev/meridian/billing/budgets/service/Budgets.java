package dev.meridian.billing.budgets.service;

import dev.meridian.billing.Account;
import dev.meridian.billing.KeyBudget;
import dev.meridian.billing.Period;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.pricing.Money;
import dev.meridian.billing.pricing.PriceBook;
import dev.meridian.billing.pricing.Rating;
import dev.meridian.billing.usage.service.UsageQueries;
import dev.meridian.common.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/** A tenant's soft and hard budgets (and its keys'), with what the current period has spent against them. */
@ApplicationScoped
public class Budgets {

    public record BudgetView(UUID keyId, Long softBudgetMinor, Long hardBudgetMinor, long spentMinor) {
    }

    public record BudgetsView(String object, UUID tenantId, String currency, Instant periodStart, Instant periodEnd,
            BudgetView tenant, List<BudgetView> keys, String webhookUrl, String webhookSecret) {
    }

    @Inject
    Accounts accounts;
    @Inject
    UsageQueries usage;
    @Inject
    PriceBook prices;
    @Inject
    WebhookTargets targets;
    @Inject
    Clock clock;

    @Transactional
    public BudgetsView view(UUID tenantId) {
        Account account = accounts.find(tenantId).orElseThrow(() -> ApiException.notFound("No billing account "
                + tenantId + " yet: it opens with the tenant's first usage."));
        return view(account, null);
    }

    @Transactional
    public BudgetsView set(UUID tenantId, String region, Long soft, Long hard, String webhookUrl) {
        if (webhookUrl != null) {
            checkUrl(webhookUrl); // before the first query: no row is locked while the host name resolves
        }
        Account account = accounts.open(tenantId, region);
        accounts.lock(tenantId);
        account.softBudgetMinor = soft;
        account.hardBudgetMinor = hard;
        String secret = null;
        if (webhookUrl != null && !webhookUrl.equals(account.webhookUrl)) {
            byte[] bytes = new byte[24];
            new SecureRandom().nextBytes(bytes);
            secret = "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            account.webhookSecret = secret;
        }
        account.webhookUrl = webhookUrl;
        if (webhookUrl == null) {
            account.webhookSecret = null;
        }
        account.updatedAt = clock.instant();
        return view(account, secret);
    }

    @Transactional
    public BudgetsView setKey(UUID tenantId, String region, UUID keyId, Long soft, Long hard) {
        Account account = accounts.open(tenantId, region);
        KeyBudget budget = KeyBudget.findById(new KeyBudget.Id(tenantId, keyId));
        if (soft == null && hard == null) {
            if (budget != null) {
                budget.delete();
            }
        } else {
            if (budget == null) {
                budget = new KeyBudget();
                budget.id = new KeyBudget.Id(tenantId, keyId);
            }
            budget.softBudgetMinor = soft;
            budget.hardBudgetMinor = hard;
            budget.persist();
        }
        return view(account, null);
    }

    /** Rated spend of the current period, in minor units (rounded half up once). */
    @Transactional(Transactional.TxType.MANDATORY)
    public long spentMinor(Account account, UUID keyId, Period period) {
        Rating rating = accounts.rating(account);
        return Money.roundToMinor(rating.usageCostNanos(usage.totals(account.tenantId, keyId, period.start(),
                period.end())));
    }

    private BudgetsView view(Account account, String newSecret) {
        Period period = Period.containing(clock.instant());
        var keys = KeyBudget.<KeyBudget>list("id.tenantId", account.tenantId).stream()
                .map(k -> new BudgetView(k.id.keyId(), k.softBudgetMinor, k.hardBudgetMinor,
                        spentMinor(account, k.id.keyId(), period)))
                .toList();
        return new BudgetsView("budgets", account.tenantId, currency(account), period.start(), period.end(),
                new BudgetView(null, account.softBudgetMinor, account.hardBudgetMinor,
                        spentMinor(account, null, period)), keys, account.webhookUrl, newSecret);
    }

    private String currency(Account account) {
        return prices.currencyOf(account.region);
    }

    /** Refuses a target that is not https to a public address (400 naming why), resolving its host now. */
    private void checkUrl(String url) {
        try {
            targets.check(url);
        } catch (WebhookTargets.Refused e) {
            throw ApiException.invalidField("webhook_url", e.getMessage() + ".");
        }
    }
}
