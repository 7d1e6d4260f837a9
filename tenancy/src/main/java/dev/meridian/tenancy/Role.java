package dev.meridian.tenancy;

import dev.meridian.common.apikey.Scope;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Membership roles inside a tenant, most powerful first. */
public enum Role {
    OWNER(EnumSet.of(Scope.INFERENCE, Scope.MODELS, Scope.FINE_TUNE, Scope.BILLING_READ)),
    ADMIN(EnumSet.of(Scope.INFERENCE, Scope.MODELS, Scope.FINE_TUNE, Scope.BILLING_READ)),
    DEVELOPER(EnumSet.of(Scope.INFERENCE, Scope.MODELS, Scope.FINE_TUNE)),
    BILLING(EnumSet.of(Scope.BILLING_READ)),
    VIEWER(EnumSet.noneOf(Scope.class));

    private final Set<Scope> keyScopes;

    Role(Set<Scope> keyScopes) {
        this.keyScopes = keyScopes;
    }

    /**
     * The API key scopes a member with this role may put on a key: what the role itself may do, so that a key never
     * opens what the console refuses its creator (billing reads are for owners, admins and billing members, as in
     * billing's own console check).
     */
    public Set<Scope> keyScopes() {
        return Collections.unmodifiableSet(keyScopes); // in the scopes' declared order
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a key this role creates or rotates may carry {@code scope}. */
    public boolean mayGrant(Scope scope) {
        return keyScopes.contains(scope);
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
