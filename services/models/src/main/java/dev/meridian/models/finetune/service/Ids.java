package dev.meridian.models.finetune.service;

import java.security.SecureRandom;

/** OpenAI-shaped ids: {@code file-…}, {@code ftjob-…}, {@code ftckpt-…}, 24 random lower-case letters and digits (valid in model names and blob keys). */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Ids() {
    }

    public static String next(String prefix) {
        var sb = new StringBuilder(prefix).append('-');
        for (int i = 0; i < 24; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }
}
