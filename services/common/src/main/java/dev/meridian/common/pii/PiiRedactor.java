package dev.meridian.common.pii;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds personal data in free text and replaces each value with its kind's placeholder ({@link PiiKind#placeholder}):
 * e-mail addresses; phone numbers in international form ({@code +} and a country code) and mainland-China mobile
 * and landline numbers; payment card numbers that pass the Luhn check; IBANs whose mod-97 check holds (and whose
 * length is their country's, where known); mainland-China resident ID numbers with a valid birth date and ISO 7064
 * check character; IPv4 and IPv6 addresses. A digit string that only looks like a card, IBAN or ID number but fails
 * its checksum is left alone: redacting it would damage training data for nothing.
 *
 * <p>Where two findings overlap, the longer wins (a card number is not also read as a phone number); at equal length
 * the kind listed first in {@link PiiKind} wins. Thread-safe and stateless.
 */
public final class PiiRedactor {

    /** The text with every finding replaced, and how many of each kind were replaced. */
    public record Redacted(String text, Map<PiiKind, Integer> counts) {
        public int total() {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private record Finding(int start, int end, PiiKind kind) {
        int length() {
            return end - start;
        }
    }

    private static final Pattern EMAIL = Pattern.compile(
            "(?<![\\w.%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.[A-Za-z]{2,24}(?![A-Za-z0-9-])");
    /** {@code +}, a country code and 6–14 more digits, grouped by spaces, dots, dashes or a bracketed area code. */
    private static final Pattern INTERNATIONAL_PHONE = Pattern.compile(
            "(?<![\\w+])\\+[1-9]\\d{0,2}(?:[ .-]?\\(\\d{1,4}\\))?(?:[ .-]?\\d{1,5}){2,6}(?![\\w-])");
    /** Mainland-China mobile numbers: 1, then 3–9, then nine digits, as 13812345678 or 138 1234 5678. */
    private static final Pattern CN_MOBILE = Pattern.compile("(?<![\\w+-])1[3-9]\\d(?:[ -]?\\d{4}){2}(?![\\w-])");
    /** Mainland-China landlines with their area code: 010-12345678, 0755 1234567, (021) 12345678. */
    private static final Pattern CN_LANDLINE = Pattern.compile(
            "(?<![\\w+-])(?:\\(0\\d{2,3}\\)\\s?|0\\d{2,3}[ -])\\d{7,8}(?![\\w-])");
    /**
     * 13 to 19 digits, written as one run, in groups of four (the last shorter), or as American Express writes them
     * (4-6-5), with spaces or dashes: not any digits with dashes between, which would take ISBNs and order numbers.
     */
    private static final Pattern CARD = Pattern.compile("(?<![\\w-])(?:\\d{13,19}"
            + "|\\d{4}([ -])\\d{4}\\1\\d{4}\\1\\d{1,4}(?:\\1\\d{1,3})?|\\d{4}([ -])\\d{6}\\2\\d{4,5})(?![\\w-])");
    private static final Pattern IBAN = Pattern.compile("(?<![\\w])[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}(?![\\w])");
    private static final Pattern CN_ID = Pattern.compile("(?<![\\w])\\d{17}[\\dXx](?![\\w])");
    private static final Pattern IPV4 = Pattern.compile(
            "(?<![\\w.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)"
                    + "(?![\\w]|\\.\\d)");
    private static final Pattern IPV6_CANDIDATE = Pattern.compile("(?<![\\w:])[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?![\\w:])");

    /** IBAN lengths of the countries most tenants bill from; others are checked by mod 97 and 15–34 characters. */
    private static final Map<String, Integer> IBAN_LENGTHS = Map.ofEntries(Map.entry("AT", 20),
            Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("CH", 21), Map.entry("CY", 28), Map.entry("CZ", 24),
            Map.entry("DE", 22), Map.entry("DK", 18), Map.entry("EE", 20), Map.entry("ES", 24), Map.entry("FI", 18),
            Map.entry("FR", 27), Map.entry("GB", 22), Map.entry("GR", 27), Map.entry("HR", 21), Map.entry("HU", 28),
            Map.entry("IE", 22), Map.entry("IS", 26), Map.entry("IT", 27), Map.entry("LI", 21), Map.entry("LT", 20),
            Map.entry("LU", 20), Map.entry("LV", 21), Map.entry("MT", 31), Map.entry("NL", 18), Map.entry("NO", 15),
            Map.entry("PL", 28), Map.entry("PT", 25), Map.entry("RO", 24), Map.entry("SE", 24), Map.entry("SI", 19),
            Map.entry("SK", 24));
    private static final int[] CN_ID_WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final char[] CN_ID_CHECK = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

    /** Replaces every finding in {@code text}. */
    public Redacted redact(String text) {
        List<Finding> found = find(text);
        Map<PiiKind, Integer> counts = new EnumMap<>(PiiKind.class);
        if (found.isEmpty()) {
            return new Redacted(text, counts);
        }
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (Finding f : found) {
            out.append(text, at, f.start()).append(f.kind().placeholder());
            at = f.end();
            counts.merge(f.kind(), 1, Integer::sum);
        }
        return new Redacted(out.append(text, at, text.length()).toString(), counts);
    }

    /** The findings that survive overlap resolution, in text order. */
    private static List<Finding> find(String text) {
        List<Finding> all = new ArrayList<>();
        if (text.indexOf('@') >= 0) {
            collect(EMAIL, text, PiiKind.EMAIL, all, s -> true);
        }
        if (!hasDigit(text)) {
            return all;
        }
        List<int[]> ibanShaped = new ArrayList<>();
        Matcher iban = IBAN.matcher(text);
        while (iban.find()) {
            ibanShaped.add(new int[] {iban.start(), iban.end()});
            int length = ibanLength(iban.group());
            if (length > 0) {
                all.add(new Finding(iban.start(), iban.start() + length, PiiKind.IBAN));
            }
        }
        collect(CN_ID, text, PiiKind.CN_RESIDENT_ID, all, PiiRedactor::validCnResidentId);
        Matcher card = CARD.matcher(text);
        while (card.find()) {
            // the digits inside an IBAN-shaped run (DE58 6246 0891 ...) whose checksum failed are no card either
            int start = card.start();
            int end = card.end();
            boolean inIban = ibanShaped.stream().anyMatch(span -> start < span[1] && span[0] < end);
            if (!inIban && luhn(digits(card.group()))) {
                all.add(new Finding(card.start(), card.end(), PiiKind.PAYMENT_CARD));
            }
        }
        collect(IPV4, text, PiiKind.IP_ADDRESS, all, s -> true);
        if (text.indexOf(':') >= 0) {
            collect(IPV6_CANDIDATE, text, PiiKind.IP_ADDRESS, all, PiiRedactor::validIpv6);
        }
        collect(INTERNATIONAL_PHONE, text, PiiKind.PHONE, all, s -> {
            int n = digits(s).length();
            return n >= 7 && n <= 15;
        });
        collect(CN_MOBILE, text, PiiKind.PHONE, all, s -> true);
        collect(CN_LANDLINE, text, PiiKind.PHONE, all, s -> true);
        if (all.size() <= 1) {
            return all;
        }
        all.sort(Comparator.comparingInt(Finding::length).reversed().thenComparing(Finding::kind));
        List<Finding> kept = new ArrayList<>();
        for (Finding f : all) {
            if (kept.stream().noneMatch(k -> f.start() < k.end() && k.start() < f.end())) {
                kept.add(f);
            }
        }
        kept.sort(Comparator.comparingInt(Finding::start));
        return kept;
    }

    private static void collect(Pattern p, String text, PiiKind kind, List<Finding> into,
            java.util.function.Predicate<String> valid) {
        Matcher m = p.matcher(text);
        while (m.find()) {
            if (valid.test(m.group())) {
                into.add(new Finding(m.start(), m.end(), kind));
            }
        }
    }

    private static boolean hasDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                return true;
            }
        }
        return false;
    }

    static String digits(String s) {
        StringBuilder d = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                d.append(c);
            }
        }
        return d.toString();
    }

    /** The Luhn (mod 10) check of payment card numbers; 13 to 19 digits, not all the same digit. */
    static boolean luhn(String digits) {
        if (digits.length() < 13 || digits.length() > 19 || digits.chars().distinct().count() == 1) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(digits.length() - 1 - i) - '0';
            if (i % 2 == 1) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    /**
     * The length of the valid IBAN at the start of {@code candidate}, or -1: the pattern may have taken a following
     * capitalised word ({@code DE89 3704 0044 0532 0130 00 BIC ...}), so the candidate is cut to its country's length,
     * or tried from 34 characters down where the country's length is not known.
     */
    static int ibanLength(String candidate) {
        Integer expected = IBAN_LENGTHS.get(candidate.substring(0, 2));
        for (int want = expected != null ? expected : 34; want >= (expected != null ? expected : 15); want--) {
            int chars = 0;
            int end = 0;
            while (end < candidate.length() && chars < want) {
                if (candidate.charAt(end++) != ' ') {
                    chars++;
                }
            }
            if (chars == want && (end == candidate.length() || candidate.charAt(end) == ' ')
                    && validIban(candidate.substring(0, end))) {
                return end;
            }
        }
        return -1;
    }

    /** ISO 13616: the country's length where known, then the mod-97 check of the rearranged number. */
    static boolean validIban(String candidate) {
        String iban = candidate.replace(" ", "");
        Integer expected = IBAN_LENGTHS.get(iban.substring(0, 2));
        if (expected != null ? iban.length() != expected : iban.length() < 15 || iban.length() > 34) {
            return false;
        }
        String rearranged = iban.substring(4) + iban.substring(0, 4);
        int remainder = 0;
        for (int i = 0; i < rearranged.length(); i++) {
            char c = rearranged.charAt(i);
            int value = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
            remainder = value < 10 ? (remainder * 10 + value) % 97 : (remainder * 100 + value) % 97;
        }
        return remainder == 1;
    }

    /** GB 11643-1999: six-digit area, a real birth date (1900 on), three digits, the ISO 7064 MOD 11-2 character. */
    static boolean validCnResidentId(String id) {
        int year = Integer.parseInt(id.substring(6, 10));
        int month = Integer.parseInt(id.substring(10, 12));
        int day = Integer.parseInt(id.substring(12, 14));
        if (year < 1900 || month < 1 || month > 12 || day < 1 || day > java.time.YearMonth.of(year, month)
                .lengthOfMonth()) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (id.charAt(i) - '0') * CN_ID_WEIGHTS[i];
        }
        return Character.toUpperCase(id.charAt(17)) == CN_ID_CHECK[sum % 11];
    }

    /** Eight groups of 1–4 hex digits, or fewer with one {@code ::} standing for the missing zero groups. */
    static boolean validIpv6(String s) {
        if (s.length() < 2 || s.length() > 39) {
            return false;
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        List<String> groups = new ArrayList<>();
        if (gap >= 0) {
            String head = s.substring(0, gap);
            String tail = s.substring(gap + 2);
            if (!head.isEmpty()) {
                groups.addAll(List.of(head.split(":", -1)));
            }
            if (!tail.isEmpty()) {
                groups.addAll(List.of(tail.split(":", -1)));
            }
            if (groups.size() > 7) {
                return false;
            }
        } else {
            groups.addAll(List.of(s.split(":", -1)));
            if (groups.size() != 8) {
                return false;
            }
        }
        for (String g : groups) {
            if (g.isEmpty() || g.length() > 4) {
                return false;
            }
        }
        return !groups.isEmpty(); // a bare "::" is no one's address
    }
}
