package dev.meridian.common.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The format of a Meridian API key: {@code mk_<prefix>_<secret>}. The prefix (12 base62 characters) is public and
 * finds the key; the secret (43 base62 characters, about 256 bits) is shown once and only its SHA-256 is stored.
 * A fast hash is right here because the secret is random, not a human password.
 */
public final class ApiKeySecret {

    public static final String MARKER = "mk_";
    static final int PREFIX_LENGTH = 12;
    static final int SECRET_LENGTH = 43;
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final Pattern FORMAT = Pattern.compile(
            "mk_([0-9A-Za-z]{" + PREFIX_LENGTH + "})_([0-9A-Za-z]{" + SECRET_LENGTH + "})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeySecret() {
    }

    /** A freshly generated key: the full text to show once, and the public prefix to store beside its hash. */
    public record Generated(String key, String prefix, String hash) {
    }

    public static Generated generate() {
        String prefix = randomBase62(PREFIX_LENGTH);
        String key = MARKER + prefix + "_" + randomBase62(SECRET_LENGTH);
        return new Generated(key, prefix, hash(key));
    }

    /** The public prefix of a well-formed key, or empty when the text is not a Meridian key at all. */
    public static Optional<String> prefixOf(String key) {
        if (key == null) {
            return Optional.empty();
        }
        var m = FORMAT.matcher(key);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Lower-case hex SHA-256 of the whole key text. */
    public static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** Compares a presented key with a stored hash in time independent of where they differ. */
    public static boolean matches(String presentedKey, String storedHash) {
        byte[] presented = hash(presentedKey).getBytes(StandardCharsets.US_ASCII);
        byte[] stored = storedHash.getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(presented, stored);
    }

    /** A display form that never reveals the secret: {@code mk_AbCdEfGhIjKl_...wxyz}. */
    public static String redact(String key) {
        if (key == null || key.isEmpty()) {
            return "";
        }
        var prefix = prefixOf(key);
        String tail = key.length() > 4 ? key.substring(key.length() - 4) : "";
        return prefix.map(p -> MARKER + p + "_..." + tail).orElse(key.length() > 8 ? key.substring(0, 3) + "..." + tail : "***");
    }

    private static String randomBase62(int length) {
        var sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
