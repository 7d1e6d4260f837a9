package dev.meridian.common.tenant;

import dev.meridian.common.apikey.Scope;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.observe.CallContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Who a call is for, as the gateway that authenticated it asserts in {@link MeridianHeaders} (trusted only because
 * the call carries a gateway's service token, which each service's HTTP security checks). Parsed once, here, into
 * domain types; a malformed header is the caller's 400, never a stack trace.
 *
 * @param tenantId   the tenant the call acts for
 * @param keyId      the API key it came with; empty for a member's token
 * @param scopes     what the key may do
 * @param region     the region of the gateway that authenticated the caller
 * @param homeRegion the tenant's home region, where the gateway that hands the call to a regional service says so
 * @param requestId  the gateway's id for the call, for logs
 */
public record Caller(UUID tenantId, Optional<UUID> keyId, Set<Scope> scopes, Optional<String> region,
        Optional<String> homeRegion, Optional<String> requestId) {

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    /**
     * The caller a gateway asserted, or empty when the call names no tenant (it did not come through a gateway). The
     * request and tenant ids go on the call's span and into its log lines ({@link CallContext}).
     */
    public static Optional<Caller> from(HttpHeaders headers) {
        Optional<Caller> caller = parse(headers::getHeaderString);
        caller.ifPresent(c -> {
            CallContext.requestId(c.requestId().orElse(null));
            CallContext.tenant(c.tenantId());
        });
        return caller;
    }

    /** As {@link #from}, for a call that must come through a gateway: 401 when it names no tenant. */
    public static Caller require(HttpHeaders headers) {
        return from(headers).orElseThrow(() -> ApiException.of(401, "missing_tenant", null, "The call carries no "
                + MeridianHeaders.TENANT_ID + "; call through a Meridian gateway with an API key."));
    }

    /** The caller in headers read by name (any HTTP stack's); empty when they name no tenant. */
    public static Optional<Caller> parse(Function<String, String> header) {
        Optional<String> tenant = value(header, MeridianHeaders.TENANT_ID);
        if (tenant.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Caller(uuid(tenant.get(), MeridianHeaders.TENANT_ID, "invalid_tenant"),
                value(header, MeridianHeaders.KEY_ID).map(k -> uuid(k, MeridianHeaders.KEY_ID, "invalid_key_id")),
                scopes(value(header, MeridianHeaders.SCOPES).orElse("")),
                value(header, MeridianHeaders.REGION),
                value(header, MeridianHeaders.HOME_REGION),
                value(header, MeridianHeaders.REQUEST_ID)));
    }

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }

    /** This caller, if its key has {@code scope}; else 403 naming the scope to ask for. */
    public Caller requireScope(Scope scope, String toDo) {
        if (!has(scope)) {
            throw ApiException.of(403, "insufficient_scope", null, toDo + " needs an API key with the scope "
                    + scope.wireName() + ".");
        }
        return this;
    }

    /**
     * This caller, if the gateway asserted {@code region} as the tenant's home; else 421: customer content is kept and
     * served only in the tenant's home region.
     */
    public Caller requireHomeRegion(String region, String service) {
        if (!homeRegion.filter(region::equals).isPresent()) {
            throw ApiException.of(421, "wrong_region", null, "This is the " + region + " " + service + ";"
                    + " customer content stays in the tenant's home region"
                    + homeRegion.map(h -> " (" + h + ")").orElse("") + ". Call your home region's gateway.");
        }
        return this;
    }

    private static Optional<String> value(Function<String, String> header, String name) {
        return Optional.ofNullable(header.apply(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static UUID uuid(String value, String header, String code) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(400, code, null, header + " '" + value + "' is not a UUID; only a Meridian gateway"
                    + " sets it, so call through one.");
        }
    }

    /** Scope wire names separated by commas (the gateway's form) or spaces (OAuth's). */
    private static Set<Scope> scopes(String value) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String name : value.split("[ ,]+")) {
            if (!name.isEmpty()) {
                scopes.add(Scope.fromWireName(name).orElseThrow(() -> ApiException.of(400, "invalid_scopes", null,
                        MeridianHeaders.SCOPES + " names an unknown scope '" + name + "'; scopes are "
                                + Scope.wireNames() + ".")));
            }
        }
        return scopes;
    }
}
