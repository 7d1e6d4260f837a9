package dev.meridian.tenancy;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Membership roles inside a tenant, most powerful first. */
public enum Role {
    OWNER, ADMIN, DEVELOPER, BILLING, VIEWER;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role of(String wireName) {
        return parse(wireName).orElseThrow(() -> new IllegalArgumentException("unknown role " + wireName));
    }

    public static Optional<Role> parse(String wireName) {
        return Arrays.stream(values()).filter(r -> r.wireName().equals(wireName)).findFirst();
    }

    public static String wireNames() {
        return String.join(", ", Arrays.stream(values()).map(Role::wireName).toList());
    }
}
