package dev.meridian.billing.details.service;

import dev.meridian.billing.Account;
import dev.meridian.billing.BillingDetails;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.documents.DocumentLanguage;
import dev.meridian.billing.tax.EuVat;
import dev.meridian.billing.tax.TaxPolicy;
import dev.meridian.common.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A tenant's billing details: validated as a whole (a PUT replaces them, and a refused one changes nothing), with the
 * tax they lead to on the tenant's invoices.
 */
@ApplicationScoped
public class BillingDetailsService {

    /** What a tenant sends: every field but {@code legal_name} and {@code country} may be left out. */
    public record Details(String legalName, List<String> addressLines, String postalCode, String city, String country,
            String vatId, String language) {
    }

    public record TaxView(int rateBp, String country, boolean reverseCharge) {
    }

    public record DetailsView(String object, UUID tenantId, String legalName, List<String> addressLines,
            String postalCode, String city, String country, String vatId, String language, TaxView tax,
            String updatedBy, Instant updatedAt) {
    }

    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    private static final Pattern POSTAL_CODE = Pattern.compile("[\\p{L}\\p{N} \\-]{1,20}");
    private static final Pattern TAX_ID = Pattern.compile("[A-Za-z0-9 ./\\-]{2,32}");

    @Inject
    Accounts accounts;
    @Inject
    TaxPolicy taxes;
    @Inject
    Clock clock;

    /** The tenant's details, or 404 while it has given none. */
    @Transactional
    public DetailsView get(UUID tenantId, String region) {
        Account account = accounts.open(tenantId, region);
        BillingDetails d = BillingDetails.<BillingDetails>findByIdOptional(tenantId).orElseThrow(() ->
                ApiException.notFound("Tenant " + tenantId + " has no billing details yet; set them with PUT"
                        + " /api/v1/billing/details {legal_name, address_lines, postal_code, city, country, vat_id,"
                        + " language}. Until then invoices name only the tenant id and are in English."));
        return view(account, d);
    }

    /** Replaces the tenant's details with {@code in}, after validating all of it. */
    @Transactional
    public DetailsView put(UUID tenantId, String region, Details in, String actor) {
        if (in == null) {
            throw ApiException.badRequest("Send {legal_name, address_lines?, postal_code?, city?, country, vat_id?,"
                    + " language?}.");
        }
        String legalName = text("legal_name", in.legalName(), 200, true);
        List<String> lines = new ArrayList<>();
        if (in.addressLines() != null) {
            if (in.addressLines().size() > 3) {
                throw ApiException.invalidField("address_lines", "at most 3 lines (street, building, ...); postal"
                        + " code, city and country have fields of their own.");
            }
            for (int i = 0; i < in.addressLines().size(); i++) {
                lines.add(text("address_lines[" + i + "]", in.addressLines().get(i), 200, true));
            }
        }
        String postalCode = text("postal_code", in.postalCode(), 20, false);
        if (postalCode != null && !POSTAL_CODE.matcher(postalCode).matches()) {
            throw ApiException.invalidField("postal_code", "'" + postalCode + "' is not a postal code: use letters,"
                    + " digits, spaces and dashes, at most 20.");
        }
        String city = text("city", in.city(), 100, false);
        String country = country(in.country());
        String vatId = vatId(country, in.vatId());
        String language = in.language() == null ? DocumentLanguage.EN.code() : in.language();
        if (DocumentLanguage.of(language).isEmpty()) {
            throw ApiException.invalidField("language", "'" + language + "' is not a language invoices are rendered"
                    + " in; use one of " + String.join(", ", DocumentLanguage.codes()) + ".");
        }
        Account account = accounts.open(tenantId, region);
        accounts.lock(tenantId);
        BillingDetails found = BillingDetails.findById(tenantId);
        BillingDetails d = found != null ? found : new BillingDetails();
        d.tenantId = tenantId;
        d.legalName = legalName;
        d.address = String.join("\n", lines);
        d.postalCode = postalCode;
        d.city = city;
        d.country = country;
        d.vatId = vatId;
        d.language = language;
        d.updatedBy = actor;
        d.updatedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        if (found == null) {
            d.persist();
        }
        return view(account, d);
    }

    private DetailsView view(Account account, BillingDetails d) {
        TaxPolicy.Decision tax = taxes.decide(account, d);
        return new DetailsView("billing_details", d.tenantId, d.legalName, d.addressLines(), d.postalCode, d.city,
                d.country, d.vatId, d.language, new TaxView(tax.rateBp(), tax.country(), tax.reverseCharge()),
                d.updatedBy, d.updatedAt);
    }

    private static String text(String field, String value, int max, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                throw ApiException.invalidField(field, "required: 1 to " + max + " characters.");
            }
            return null;
        }
        String v = value.strip();
        if (v.length() > max) {
            throw ApiException.invalidField(field, v.length() + " characters; at most " + max + ".");
        }
        if (CONTROL.matcher(v).find()) {
            throw ApiException.invalidField(field, "contains a line break or another control character; send one"
                    + " line" + (field.startsWith("address_lines") ? " per element of address_lines." : "."));
        }
        return v;
    }

    private static String country(String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalidField("country", "required: the ISO 3166-1 alpha-2 code of the country the"
                    + " billing address is in, e.g. DE, FR, US or CN.");
        }
        String c = value.strip().toUpperCase(Locale.ROOT);
        if (!COUNTRIES.contains(c)) {
            throw ApiException.invalidField("country", "'" + value + "' is not an ISO 3166-1 alpha-2 country code;"
                    + " write e.g. DE, FR, US or CN (Greece is GR).");
        }
        return c;
    }

    private static String vatId(String country, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (EuVat.isMember(country)) {
            return EuVat.normalizedVatId(country, value).orElseThrow(() -> ApiException.invalidField("vat_id", "'"
                    + value + "' is not a VAT identification number of " + country + "; its ids look like "
                    + EuVat.example(country) + " (the country prefix may be left out). Check the number, or the"
                    + " country."));
        }
        String v = value.strip();
        if (!TAX_ID.matcher(v).matches()) {
            throw ApiException.invalidField("vat_id", "'" + value + "' is not a tax id: use 2 to 32 letters, digits,"
                    + " spaces, dots, slashes and dashes.");
        }
        return v;
    }
}
