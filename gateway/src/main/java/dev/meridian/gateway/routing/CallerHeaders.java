package dev.meridian.gateway.routing;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.CallerIdentity;
import io.vertx.core.MultiMap;
import java.util.Set;

/**
 * The request headers of a call the gateway makes on an authenticated caller's behalf: the client's own headers,
 * minus its credentials (the raw API key never leaves the gateway) and any {@code X-Meridian-*} it sent (only a
 * gateway may assert those), plus the gateway's service token and the caller's identity.
 */
public final class CallerHeaders {

    /**
     * From a forwarding gateway to the home gateway: the key's tokens-per-minute limit (from its plan), which the
     * home gateway applies to generative calls. Only gateways send it (a client's {@code X-Meridian-*} is dropped).
     */
    public static final String TOKENS_PER_MINUTE = "X-Meridian-Tokens-Per-Minute";

    /** Headers a client may not pass on: lower-case name prefixes. */
    static final Set<String> CLIENT_MAY_NOT_SEND = Set.of("authorization", "x-meridian-");

    private CallerHeaders() {
    }

    public static MultiMap onBehalfOf(MultiMap clientHeaders, CallerIdentity caller, String serviceToken,
            String requestId) {
        MultiMap headers = Forwarder.passOn(clientHeaders, CLIENT_MAY_NOT_SEND);
        headers.set("Authorization", "Bearer " + serviceToken);
        headers.set(MeridianHeaders.TENANT_ID, caller.tenantId());
        headers.set(MeridianHeaders.KEY_ID, caller.keyId());
        headers.set(MeridianHeaders.SCOPES, String.join(",", caller.scopes()));
        headers.set(MeridianHeaders.REGION, caller.enteredAt());
        headers.set(MeridianHeaders.REQUEST_ID, requestId);
        return headers;
    }

    /** As {@link #onBehalfOf}, for a call to the tenant's home-region gateway: also names the region forwarding it. */
    public static MultiMap toHomeGateway(MultiMap clientHeaders, CallerIdentity caller, String serviceToken,
            String requestId, String forwardingRegion) {
        MultiMap headers = onBehalfOf(clientHeaders, caller, serviceToken, requestId);
        headers.set(MeridianHeaders.FORWARDED_BY, forwardingRegion);
        return headers;
    }
}
