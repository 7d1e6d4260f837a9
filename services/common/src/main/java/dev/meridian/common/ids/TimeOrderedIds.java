package dev.meridian.common.ids;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/**
 * UUIDs of version 7 (RFC 9562, section 5.7): 48 bits of Unix time in milliseconds, then 74 random bits. Ids made
 * close together in time sort close together, so a B-tree index on them is written at a few hot pages instead of
 * at random ones all over the index: billing's dedup index of usage-event ids stays in cache however large it grows.
 * Uniqueness rests on the random bits alone (as for version 4 ids, with 74 instead of 122 per millisecond), never on
 * the clock.
 */
public final class TimeOrderedIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long VERSION_7 = 0x7000L;
    private static final long VARIANT_RFC = 0x8000_0000_0000_0000L;

    private TimeOrderedIds() {
    }

    /** A new id whose time part is {@code at} (the moment the identified thing happened). */
    public static UUID at(Instant at) {
        long millis = at.toEpochMilli();
        if (millis < 0 || millis >>> 48 != 0) {
            throw new IllegalArgumentException("a version 7 id holds times from 1970 to 10889, not " + at);
        }
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        long randA = ((random[0] & 0xFFL) << 4 | (random[1] & 0xF0L) >>> 4) & 0x0FFFL;
        long randB = 0;
        for (int i = 2; i < 10; i++) {
            randB = randB << 8 | (random[i] & 0xFFL);
        }
        long msb = millis << 16 | VERSION_7 | randA;
        long lsb = VARIANT_RFC | randB >>> 2;
        return new UUID(msb, lsb);
    }

    /** A new id for now. */
    public static UUID now() {
        return at(Instant.now());
    }

    /** The time part of a version 7 id, to the millisecond. */
    public static Instant timeOf(UUID id) {
        if (id.version() != 7) {
            throw new IllegalArgumentException(id + " is a version " + id.version() + " id, not a time-ordered one");
        }
        return Instant.ofEpochMilli(id.getMostSignificantBits() >>> 16);
    }
}
