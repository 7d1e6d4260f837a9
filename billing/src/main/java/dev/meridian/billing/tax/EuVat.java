package dev.meridian.billing.tax;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The EU's VAT facts billing needs, as data: each member state's standard rate (from
 * {@code tax/eu-vat-standard-rates.properties}) and the format of its VAT identification numbers (the structure the
 * Commission's VIES documents per country). A format check says an id is well-formed, not that it is registered.
 */
public final class EuVat {

    /** Per country: the prefix of its VAT ids (Greece: EL) and the pattern of what follows it. */
    private record Format(String prefix, Pattern rest) {
    }

    private static final Map<String, Format> FORMATS = Map.ofEntries(
            format("AT", "AT", "U\\d{8}"),
            format("BE", "BE", "[01]\\d{9}"),
            format("BG", "BG", "\\d{9,10}"),
            format("CY", "CY", "\\d{8}[A-Z]"),
            format("CZ", "CZ", "\\d{8,10}"),
            format("DE", "DE", "\\d{9}"),
            format("DK", "DK", "\\d{8}"),
            format("EE", "EE", "\\d{9}"),
            format("ES", "ES", "[A-Z0-9]\\d{7}[A-Z0-9]"),
            format("FI", "FI", "\\d{8}"),
            format("FR", "FR", "[A-HJ-NP-Z0-9]{2}\\d{9}"),
            format("GR", "EL", "\\d{9}"),
            format("HR", "HR", "\\d{11}"),
            format("HU", "HU", "\\d{8}"),
            format("IE", "IE", "\\d{7}[A-W][A-I]?|\\d[A-Z+*]\\d{5}[A-W]"),
            format("IT", "IT", "\\d{11}"),
            format("LT", "LT", "\\d{9}|\\d{12}"),
            format("LU", "LU", "\\d{8}"),
            format("LV", "LV", "\\d{11}"),
            format("MT", "MT", "\\d{8}"),
            format("NL", "NL", "\\d{9}B\\d{2}"),
            format("PL", "PL", "\\d{10}"),
            format("PT", "PT", "\\d{9}"),
            format("RO", "RO", "[1-9]\\d{1,9}"),
            format("SE", "SE", "\\d{10}01"),
            format("SI", "SI", "\\d{8}"),
            format("SK", "SK", "\\d{10}"));

    /** Examples of well-formed ids, for error messages ("e.g. DE123456789"). */
    private static final Map<String, String> EXAMPLES = Map.ofEntries(Map.entry("AT", "ATU12345678"),
            Map.entry("BE", "BE0123456789"), Map.entry("BG", "BG123456789"), Map.entry("CY", "CY12345678L"),
            Map.entry("CZ", "CZ12345678"), Map.entry("DE", "DE123456789"), Map.entry("DK", "DK12345678"),
            Map.entry("EE", "EE123456789"), Map.entry("ES", "ESX1234567X"), Map.entry("FI", "FI12345678"),
            Map.entry("FR", "FRXX123456789"), Map.entry("GR", "EL123456789"), Map.entry("HR", "HR12345678901"),
            Map.entry("HU", "HU12345678"), Map.entry("IE", "IE1234567WA"), Map.entry("IT", "IT12345678901"),
            Map.entry("LT", "LT123456789"), Map.entry("LU", "LU12345678"), Map.entry("LV", "LV12345678901"),
            Map.entry("MT", "MT12345678"), Map.entry("NL", "NL123456789B01"), Map.entry("PL", "PL1234567890"),
            Map.entry("PT", "PT123456789"), Map.entry("RO", "RO1234567890"), Map.entry("SE", "SE123456789001"),
            Map.entry("SI", "SI12345678"), Map.entry("SK", "SK1234567890"));

    private static final Map<String, Integer> RATES = loadRates();

    private EuVat() {
    }

    private static Map.Entry<String, Format> format(String country, String prefix, String rest) {
        return Map.entry(country, new Format(prefix, Pattern.compile(rest)));
    }

    /** Whether {@code country} (ISO 3166-1 alpha-2) is an EU member state. */
    public static boolean isMember(String country) {
        return country != null && FORMATS.containsKey(country);
    }

    /** The member state's standard rate in basis points. */
    public static int standardRateBp(String country) {
        Integer rate = RATES.get(country);
        if (rate == null) {
            throw new IllegalArgumentException(country + " is not an EU member state");
        }
        return rate;
    }

    /** The member states and their standard rates, by country. */
    public static Map<String, Integer> standardRatesBp() {
        return RATES;
    }

    /**
     * The VAT id in its canonical form (upper case, without spaces, dots or dashes, with the country's prefix, which
     * may be left out on input), if it is well-formed for the member state {@code country}; empty otherwise.
     */
    public static Optional<String> normalizedVatId(String country, String vatId) {
        Format f = FORMATS.get(country);
        if (f == null || vatId == null) {
            return Optional.empty();
        }
        String id = vatId.toUpperCase(java.util.Locale.ROOT).replaceAll("[\\s.\\-]", "");
        String rest = id.startsWith(f.prefix()) ? id.substring(f.prefix().length()) : id;
        return f.rest().matcher(rest).matches() ? Optional.of(f.prefix() + rest) : Optional.empty();
    }

    /** A well-formed example of the member state's VAT ids. */
    public static String example(String country) {
        return EXAMPLES.get(country);
    }

    private static Map<String, Integer> loadRates() {
        Properties p = new Properties();
        String resource = "tax/eu-vat-standard-rates.properties";
        try (InputStream in = EuVat.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("tax/eu-vat-standard-rates.properties is missing from the classpath");
            }
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the EU VAT rates", e);
        }
        Map<String, Integer> rates = new TreeMap<>();
        p.forEach((k, v) -> rates.put((String) k, Integer.valueOf(((String) v).trim())));
        if (!rates.keySet().equals(new java.util.TreeSet<>(FORMATS.keySet()))) {
            throw new IllegalStateException("the EU VAT rates name " + rates.keySet() + ", the VAT id formats "
                    + new java.util.TreeSet<>(FORMATS.keySet()) + ": they must name the same 27 member states");
        }
        rates.values().forEach(r -> {
            if (r < 0 || r > 10_000) {
                throw new IllegalStateException("an EU VAT rate out of 0..10000 basis points: " + r);
            }
        });
        return java.util.Collections.unmodifiableMap(rates);
    }
}
