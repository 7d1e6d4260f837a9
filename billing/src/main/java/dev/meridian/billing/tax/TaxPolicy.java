package dev.meridian.billing.tax;

import dev.meridian.billing.Account;
import dev.meridian.billing.BillingDetails;
import dev.meridian.billing.config.BillingConfig;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The one place an invoice's tax is decided. A region that is not an EU VAT region charges its configured rate
 * ({@code meridian.billing.regions.<id>.tax-rate-bp}). In an EU VAT region ({@code eu-vat=true}), by the customer's
 * billing details:
 * <ul>
 *   <li>a business in another member state than the supplier's ({@code meridian.billing.tax.supplier-country}) with
 *       a well-formed VAT id of its country: 0 %, reverse charge (Article 196, Council Directive 2006/112/EC);</li>
 *   <li>any other customer in a member state: that state's standard rate ({@link EuVat});</li>
 *   <li>no billing details, or a country outside the EU: the region's configured rate.</li>
 * </ul>
 * The amount is then {@code Money.tax} of the subtotal at the rate: one rounding rule for every region.
 */
@ApplicationScoped
@Startup
public class TaxPolicy {

    /** How an invoice is taxed: the rate, the country whose VAT it is (null: the region's tax) and reverse charge. */
    public record Decision(int rateBp, String country, boolean reverseCharge) {
    }

    @Inject
    BillingConfig config;

    @PostConstruct
    void check() {
        String supplier = config.tax().supplierCountry();
        boolean anyEu = config.regions().values().stream().anyMatch(BillingConfig.Region::euVat);
        if (anyEu && !EuVat.isMember(supplier)) {
            throw new IllegalStateException("meridian.billing.tax.supplier-country=" + supplier + " is not an EU"
                    + " member state, but a region bills EU VAT (meridian.billing.regions.<id>.eu-vat=true)");
        }
    }

    /** The tax of an invoice of {@code account}, addressed per {@code details} (null: none given). */
    public Decision decide(Account account, BillingDetails details) {
        BillingConfig.Region region = config.regions().get(account.region);
        return decide(region.euVat(), region.taxRateBp(), config.tax().supplierCountry(),
                details == null ? null : details.country, details == null ? null : details.vatId);
    }

    /** The rule itself, on plain values. */
    public static Decision decide(boolean euVatRegion, int regionRateBp, String supplierCountry, String country,
            String vatId) {
        if (!euVatRegion || !EuVat.isMember(country)) {
            return new Decision(regionRateBp, null, false);
        }
        boolean business = EuVat.normalizedVatId(country, vatId).isPresent();
        if (business && !country.equals(supplierCountry)) {
            return new Decision(0, country, true);
        }
        return new Decision(EuVat.standardRateBp(country), country, false);
    }
}
