package dev.meridian.billing.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.billing.Meter;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Every meter a service may send has a price in every currency billing invoices in: a meter without one makes
 * invoicing throw for every tenant that used it (a new meter, such as tenant models' run time, is easy to miss).
 */
class PriceBookCoverageTest {

    @Test
    void everyMeterHasAPriceInEveryCurrency() throws IOException {
        var properties = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        List<String> currencies = properties.stringPropertyNames().stream()
                .filter(k -> k.matches("meridian\\.billing\\.regions\\.[a-z0-9-]+\\.currency"))
                .map(properties::getProperty).distinct().toList();
        assertThat(currencies).contains("EUR", "USD", "CNY");
        List<String> missing = new ArrayList<>();
        for (String currency : currencies) {
            for (Meter meter : Meter.values()) {
                if (properties.getProperty("meridian.billing.prices." + currency + "." + meter.wireName()) == null) {
                    missing.add(currency + " " + meter.wireName());
                }
            }
        }
        assertThat(missing).as("meters without a price").isEmpty();
    }
}
