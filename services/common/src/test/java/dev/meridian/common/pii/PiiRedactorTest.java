package dev.meridian.common.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Properties of each detector over generated values (a fixed seed per property, so a failure reproduces): every valid
 * value is found whole and replaced by its placeholder, and look-alikes that fail the kind's checksum are left as they
 * were.
 */
class PiiRedactorTest {

    static final int CASES = 2000;
    final PiiRedactor redactor = new PiiRedactor();

    /** Checks {@code property} on {@code CASES} values made by {@code generate} from one seeded random source. */
    static void forAll(long seed, Function<Random, String> generate, java.util.function.Consumer<String> property) {
        Random random = new Random(seed);
        for (int i = 0; i < CASES; i++) {
            String value = generate.apply(random);
            try {
                property.accept(value);
            } catch (AssertionError e) {
                throw new AssertionError("case " + i + " of seed " + seed + ", value '" + value + "': "
                        + e.getMessage(), e);
            }
        }
    }

    static final List<String[]> SENTENCES = List.of(
            new String[] {"Please contact ", " about the refund."},
            new String[] {"", ""},
            new String[] {"客户的信息：", "，请核实。"},
            new String[] {"Bitte an (", ") senden"},
            new String[] {"value=", "; next"},
            new String[] {"IBAN/CARD/ID: ", " BIC COBADEFFXXX"});

    void redactedAs(PiiKind kind, String value, Random random) {
        String[] s = SENTENCES.get(random.nextInt(SENTENCES.size()));
        var r = redactor.redact(s[0] + value + s[1]);
        assertThat(r.text()).isEqualTo(s[0] + kind.placeholder() + s[1]);
        assertThat(r.counts()).isEqualTo(Map.of(kind, 1));
    }

    void leftAlone(String value, Random random) {
        String[] s = SENTENCES.get(random.nextInt(SENTENCES.size()));
        var r = redactor.redact(s[0] + value + s[1]);
        assertThat(r.text()).isEqualTo(s[0] + value + s[1]);
        assertThat(r.total()).isZero();
    }

    static String digits(Random r, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ('0' + r.nextInt(10)));
        }
        return b.toString();
    }

    static String grouped(String s, int size, String separator) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i += size) {
            if (i > 0) {
                b.append(separator);
            }
            b.append(s, i, Math.min(s.length(), i + size));
        }
        return b.toString();
    }

    // payment cards

    static String luhnComplete(String body) {
        for (char d = '0'; d <= '9'; d++) {
            if (PiiRedactor.luhn(body + d)) {
                return body + d;
            }
        }
        throw new IllegalStateException("no Luhn digit for " + body);
    }

    static String card(Random r) {
        String prefix = List.of("4", "51", "55", "37", "6011", "62").get(r.nextInt(6));
        int length = prefix.equals("37") ? 15 : 13 + r.nextInt(7);
        String number;
        do {
            number = luhnComplete(prefix + digits(r, length - prefix.length() - 1));
        } while (number.chars().distinct().count() == 1);
        return switch (r.nextInt(3)) {
            case 0 -> number;
            case 1 -> grouped(number, 4, " ");
            default -> grouped(number, 4, "-");
        };
    }

    @Test
    void everyLuhnValidCardNumberIsRedacted() {
        forAll(11, PiiRedactorTest::card, v -> redactedAs(PiiKind.PAYMENT_CARD, v, new Random(v.hashCode())));
    }

    @Test
    void aCardNumberWithOneDigitChangedIsNotRedacted() {
        forAll(12, r -> {
            String valid = card(r).replaceAll("[ -]", "");
            int at = r.nextInt(valid.length());
            char changed = (char) ('0' + (valid.charAt(at) - '0' + 1 + r.nextInt(9)) % 10);
            return valid.substring(0, at) + changed + valid.substring(at + 1);
        }, v -> leftAlone(v, new Random(v.hashCode())));
    }

    // IBANs

    static final Map<String, Integer> IBAN_COUNTRIES = Map.of("DE", 22, "FR", 27, "GB", 22, "NL", 18, "ES", 24,
            "IT", 27, "PL", 28, "BE", 16, "CH", 21, "AT", 20);

    static String iban(Random r, boolean valid) {
        String country = List.copyOf(IBAN_COUNTRIES.keySet()).get(r.nextInt(IBAN_COUNTRIES.size()));
        int length = IBAN_COUNTRIES.get(country);
        StringBuilder bban = new StringBuilder();
        for (int i = 0; i < length - 4; i++) {
            bban.append(country.equals("GB") && i < 4 || country.equals("NL") && i < 4
                    ? (char) ('A' + r.nextInt(26)) : (char) ('0' + r.nextInt(10)));
        }
        int check = 98 - mod97(bban + country + "00");
        if (!valid) {
            check = (check + 1 + r.nextInt(96)) % 97;
            check = check < 2 ? check + 2 : check; // 00 and 01 are never issued; still a wrong checksum
            if (check == 98 - mod97(bban + country + "00")) {
                check = check == 98 ? 2 : check + 1;
            }
        }
        String iban = country + String.format("%02d", check) + bban;
        return r.nextBoolean() ? iban : grouped(iban, 4, " ");
    }

    static int mod97(String s) {
        int rem = 0;
        for (char c : s.toCharArray()) {
            int v = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
            rem = v < 10 ? (rem * 10 + v) % 97 : (rem * 100 + v) % 97;
        }
        return rem;
    }

    @Test
    void everyIbanWithAValidChecksumIsRedacted() {
        forAll(21, r -> iban(r, true), v -> redactedAs(PiiKind.IBAN, v, new Random(v.hashCode())));
    }

    @Test
    void anIbanLookAlikeWithAWrongChecksumIsNotRedacted() {
        forAll(22, r -> iban(r, false), v -> leftAlone(v, new Random(v.hashCode())));
    }

    // mainland-China resident ID numbers

    static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static final String CHECK = "10X98765432";

    static String cnId(Random r, boolean valid) {
        LocalDate born = LocalDate.of(1930, 1, 1).plusDays(r.nextInt(365 * 90));
        String body = (110000 + r.nextInt(550000)) + String.format("%04d%02d%02d", born.getYear(),
                born.getMonthValue(), born.getDayOfMonth()) + digits(r, 3);
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (body.charAt(i) - '0') * WEIGHTS[i];
        }
        char check = CHECK.charAt(sum % 11);
        if (!valid) {
            check = CHECK.charAt((sum % 11 + 1 + r.nextInt(10)) % 11);
        }
        return body + (r.nextInt(4) == 0 ? Character.toLowerCase(check) : check);
    }

    @Test
    void everyResidentIdWithAValidCheckCharacterIsRedacted() {
        forAll(31, r -> cnId(r, true), v -> redactedAs(PiiKind.CN_RESIDENT_ID, v, new Random(v.hashCode())));
    }

    @Test
    void aResidentIdWithAWrongCheckCharacterIsNotRedactedAsAnId() {
        forAll(32, r -> cnId(r, false), v -> {
            var r = redactor.redact("身份证号 " + v + " 已登记");
            assertThat(r.counts()).doesNotContainKey(PiiKind.CN_RESIDENT_ID);
            if (!(v.chars().allMatch(Character::isDigit) && PiiRedactor.luhn(v))) { // 18 digits that pass Luhn are a card number, and redacted as one
                assertThat(r.text()).contains(v);
            }
        });
    }

    // e-mail, phones, IP addresses

    static String email(Random r) {
        String local = List.of("ana", "li.wei", "j.doe+ml", "support_team", "x1").get(r.nextInt(5)) + r.nextInt(100);
        String domain = List.of("example.com", "mail.example.co.uk", "qq.com", "firma-gmbh.de").get(r.nextInt(4));
        return local + "@" + domain;
    }

    @Test
    void everyEmailAddressIsRedacted() {
        forAll(41, PiiRedactorTest::email, v -> redactedAs(PiiKind.EMAIL, v, new Random(v.hashCode())));
    }

    static String phone(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> "+49 30 " + digits(r, 8);
            case 1 -> "+1 (415) 555-" + digits(r, 4);
            case 2 -> "+86 1" + (3 + r.nextInt(7)) + digits(r, 1) + " " + digits(r, 4) + " " + digits(r, 4);
            case 3 -> "1" + (3 + r.nextInt(7)) + digits(r, 9);
            case 4 -> "1" + (3 + r.nextInt(7)) + digits(r, 1) + "-" + digits(r, 4) + "-" + digits(r, 4);
            default -> List.of("010-", "021-", "0755-").get(r.nextInt(3)) + (1 + r.nextInt(9)) + digits(r, 6);
        };
    }

    @Test
    void everyInternationalOrMainlandChinaPhoneNumberIsRedacted() {
        forAll(51, PiiRedactorTest::phone, v -> redactedAs(PiiKind.PHONE, v, new Random(v.hashCode())));
    }

    static String ip(Random r) {
        if (r.nextBoolean()) {
            return r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
        }
        String[] groups = new String[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = Integer.toHexString(r.nextInt(0x10000));
        }
        String full = String.join(":", groups);
        return r.nextBoolean() ? full : groups[0] + ":" + groups[1] + "::" + groups[7];
    }

    @Test
    void everyIpAddressIsRedacted() {
        forAll(61, PiiRedactorTest::ip, v -> redactedAs(PiiKind.IP_ADDRESS, v, new Random(v.hashCode())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"The meeting is on 2026-12-07 at 12:30:45.", "Version 1.2.3 fixed it.",
            "Order 12345 cost $1,299.00.", "Call me maybe", "std::vector<int> and std::map", "ratio 3:2 or 16:9",
            "ISBN 978-3-16-148410-0", "Invoice INV-2026-000123", "temperature 21.5°C, 1013 hPa",
            "年龄 35 岁，工号 20231102", "see RFC 4291 section 2.2"})
    void ordinaryTextIsLeftAlone(String text) {
        var r = redactor.redact(text);
        assertThat(r.text()).isEqualTo(text);
        assertThat(r.total()).isZero();
    }

    @Test
    void severalKindsInOneTextAreEachCounted() {
        var r = redactor.redact("Mail ana@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111,"
                + " IBAN DE89 3704 0044 0532 0130 00, from 192.168.0.7, 手机 13812345678, ana@example.com again.");

        assertThat(r.text()).isEqualTo("Mail [EMAIL] or call [PHONE]; card [PAYMENT_CARD], IBAN [IBAN], from"
                + " [IP_ADDRESS], 手机 [PHONE], [EMAIL] again.");
        assertThat(r.counts()).isEqualTo(Map.of(PiiKind.EMAIL, 2, PiiKind.PHONE, 2, PiiKind.PAYMENT_CARD, 1,
                PiiKind.IBAN, 1, PiiKind.IP_ADDRESS, 1));
    }
}
