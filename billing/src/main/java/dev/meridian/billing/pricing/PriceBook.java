package dev.meridian.billing.pricing;

import dev.meridian.billing.Account;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.error.ApiException;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;

/** The configured price books per currency and the plans, checked at start; builds the {@link Rating} of a tenant. */
@ApplicationScoped
@Startup
public class PriceBook {

    @Inject
    BillingConfig config;

    private final Map<String, Map<String, Price>> books = new HashMap<>();

    @PostConstruct
    void load() {
        config.prices().forEach((currency, meters) -> {
            Map<String, Price> book = new HashMap<>();
            meters.forEach((meter, spec) -> {
                if (Meter.fromWireName(meter).isEmpty()) {
                    throw new IllegalStateException("meridian.billing.prices." + currency + "." + meter
                            + ": no such meter");
                }
                book.put(meter, Price.parse(spec));
            });
            books.put(currency, Map.copyOf(book));
        });
        config.regions().forEach((id, region) -> {
            if (!books.containsKey(region.currency())) {
                throw new IllegalStateException("region " + id + " bills in " + region.currency()
                        + " but meridian.billing.prices has no price book for it");
            }
        });
    }

    public String currencyOf(String region) {
        var r = config.regions().get(region);
        if (r == null) {
            throw ApiException.badRequest("Unknown region '" + region + "'; billing knows "
                    + String.join(", ", config.regions().keySet()) + ".");
        }
        return r.currency();
    }

    public Map<String, Price> book(String currency) {
        return books.get(currency);
    }

    /** The rating of an account: its plan's fee and inclusions and its prices (enterprise: its own). */
    public Rating ratingOf(Account account, Map<String, Long> customUnitNanos) {
        String currency = currencyOf(account.region);
        Map<String, Price> prices = new HashMap<>(books.get(currency));
        if (Account.ENTERPRISE.equals(account.plan)) {
            customUnitNanos.forEach((meter, nanos) -> prices.put(meter, Price.flat(nanos)));
        }
        var plan = config.plans().get(account.plan);
        Map<String, Long> included = plan == null ? Map.of() : plan.included();
        long fee = plan == null ? 0 : plan.fee().getOrDefault(currency, 0L);
        return new Rating(account.plan, fee, included, prices);
    }

}
