package dev.meridian.billing.tax;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.billing.pricing.Money;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaxPolicyTest {

    /** One well-formed id per member state, as its tax authority writes it (spaces and dots as people type them). */
    private static final Map<String, String> WELL_FORMED = Map.ofEntries(Map.entry("AT", "ATU12345678"),
            Map.entry("BE", "BE 0123.456.789"), Map.entry("BG", "BG1234567890"), Map.entry("CY", "CY12345678L"),
            Map.entry("CZ", "CZ1234567890"), Map.entry("DE", "DE 123 456 789"), Map.entry("DK", "DK12345678"),
            Map.entry("EE", "EE123456789"), Map.entry("ES", "ESB12345678"), Map.entry("FI", "FI12345678"),
            Map.entry("FR", "FR40303265045"), Map.entry("GR", "EL123456789"), Map.entry("HR", "HR12345678901"),
            Map.entry("HU", "HU12345678"), Map.entry("IE", "IE1234567WA"), Map.entry("IT", "IT12345678901"),
            Map.entry("LT", "LT123456789012"), Map.entry("LU", "LU12345678"), Map.entry("LV", "LV12345678901"),
            Map.entry("MT", "MT12345678"), Map.entry("NL", "NL123456789B01"), Map.entry("PL", "PL123-456-78-90"),
            Map.entry("PT", "PT123456789"), Map.entry("RO", "RO18547290"), Map.entry("SE", "SE123456789001"),
            Map.entry("SI", "SI12345678"), Map.entry("SK", "SK1234567890"));

    /** Ids that break each state's format: a digit short, a letter where digits go, or another state's prefix. */
    private static final Map<String, String> MALFORMED = Map.ofEntries(Map.entry("AT", "AT12345678"),
            Map.entry("BE", "BE2123456789"), Map.entry("BG", "BG12345678"), Map.entry("CY", "CY123456789"),
            Map.entry("CZ", "CZ1234567"), Map.entry("DE", "DE12345678"), Map.entry("DK", "DK1234567"),
            Map.entry("EE", "EE12345678"), Map.entry("ES", "ES123456"), Map.entry("FI", "FI1234567"),
            Map.entry("FR", "FRIO123456789"), Map.entry("GR", "GR123456789"), Map.entry("HR", "HR1234567890"),
            Map.entry("HU", "HU1234567"), Map.entry("IE", "IE12345678"), Map.entry("IT", "IT1234567890"),
            Map.entry("LT", "LT1234567890"), Map.entry("LU", "LU1234567"), Map.entry("LV", "LV1234567890"),
            Map.entry("MT", "MT1234567"), Map.entry("NL", "NL123456789A01"), Map.entry("PL", "PL123456789"),
            Map.entry("PT", "PT12345678"), Map.entry("RO", "RO0123"), Map.entry("SE", "SE123456789002"),
            Map.entry("SI", "SI1234567"), Map.entry("SK", "SK123456789"));

    @Test
    void everyMemberStateHasARateAndAVatIdFormat() {
        assertThat(EuVat.standardRatesBp()).hasSize(27);
        assertThat(WELL_FORMED.keySet()).containsExactlyInAnyOrderElementsOf(EuVat.standardRatesBp().keySet());
        assertThat(EuVat.standardRatesBp().values()).allSatisfy(r -> assertThat(r).isBetween(1500, 2800));
        assertThat(EuVat.standardRateBp("DE")).isEqualTo(1900);
        assertThat(EuVat.standardRateBp("HU")).isEqualTo(2700);
        assertThat(EuVat.standardRateBp("LU")).isEqualTo(1700);
        assertThat(EuVat.standardRateBp("FI")).isEqualTo(2550);
        assertThat(EuVat.isMember("GB")).isFalse();
        assertThat(EuVat.isMember("CH")).isFalse();
    }

    @Test
    void wellFormedVatIdsOfEachStateAreAcceptedInCanonicalForm() {
        WELL_FORMED.forEach((country, id) -> assertThat(EuVat.normalizedVatId(country, id)).as(country + " " + id)
                .hasValueSatisfying(v -> assertThat(v).matches("[A-Z]{2}[A-Z0-9+*]+")));
        assertThat(EuVat.normalizedVatId("DE", "de 123.456-789")).contains("DE123456789");
        assertThat(EuVat.normalizedVatId("DE", "123456789")).as("prefix left out").contains("DE123456789");
        assertThat(EuVat.normalizedVatId("GR", "123456789")).as("Greece's ids start with EL").contains("EL123456789");
        assertThat(EuVat.normalizedVatId("IE", "IE1X23456W")).as("Ireland's older format").contains("IE1X23456W");
    }

    @Test
    void malformedVatIdsAndIdsOfAnotherStateAreRefused() {
        MALFORMED.forEach((country, id) -> assertThat(EuVat.normalizedVatId(country, id)).as(country + " " + id)
                .isEmpty());
        assertThat(EuVat.normalizedVatId("DE", "FR40303265045")).isEmpty();
        assertThat(EuVat.normalizedVatId("US", "123456789")).as("not a member state").isEmpty();
        assertThat(EuVat.normalizedVatId("DE", null)).isEmpty();
        // every example an error message offers is itself accepted
        EuVat.standardRatesBp().keySet().forEach(c -> assertThat(EuVat.normalizedVatId(c, EuVat.example(c)))
                .as(c).isPresent());
    }

    @Test
    void aBusinessInAnotherMemberStateIsReverseCharged() {
        var d = TaxPolicy.decide(true, 1900, "DE", "FR", "FR40303265045");
        assertThat(d).isEqualTo(new TaxPolicy.Decision(0, "FR", true));
    }

    @Test
    void aBusinessInTheSuppliersStatePaysItsVat() {
        assertThat(TaxPolicy.decide(true, 1900, "DE", "DE", "DE123456789"))
                .isEqualTo(new TaxPolicy.Decision(1900, "DE", false));
        assertThat(TaxPolicy.decide(true, 1900, "FR", "FR", "FR40303265045"))
                .as("another supplier country").isEqualTo(new TaxPolicy.Decision(2000, "FR", false));
    }

    @Test
    void aConsumerOrAMalformedIdPaysTheCustomerCountrysRate() {
        assertThat(TaxPolicy.decide(true, 1900, "DE", "HU", null)).isEqualTo(new TaxPolicy.Decision(2700, "HU", false));
        assertThat(TaxPolicy.decide(true, 1900, "DE", "FR", "FR123"))
                .isEqualTo(new TaxPolicy.Decision(2000, "FR", false));
        assertThat(TaxPolicy.decide(true, 1900, "DE", "GR", "EL123456789"))
                .isEqualTo(new TaxPolicy.Decision(0, "GR", true));
    }

    @Test
    void withoutDetailsOutsideTheEuOrInAnotherRegionTheRegionsRateApplies() {
        assertThat(TaxPolicy.decide(true, 1900, "DE", null, null)).isEqualTo(new TaxPolicy.Decision(1900, null, false));
        assertThat(TaxPolicy.decide(true, 1900, "DE", "CH", "CHE-123.456.789"))
                .isEqualTo(new TaxPolicy.Decision(1900, null, false));
        assertThat(TaxPolicy.decide(false, 600, "DE", "FR", "FR40303265045"))
                .as("cn-north keeps its own tax").isEqualTo(new TaxPolicy.Decision(600, null, false));
        assertThat(TaxPolicy.decide(false, 0, "DE", "DE", null)).isEqualTo(new TaxPolicy.Decision(0, null, false));
    }

    @Test
    void theRateGoesThroughTheOneRoundingRule() {
        // 25.5 % of 1.99 EUR = 0.50745 → 0.51; 27 % of 0.05 = 0.0135 → 0.01
        assertThat(Money.tax(199, TaxPolicy.decide(true, 1900, "DE", "FI", null).rateBp())).isEqualTo(51);
        assertThat(Money.tax(5, TaxPolicy.decide(true, 1900, "DE", "HU", null).rateBp())).isEqualTo(1);
    }
}
