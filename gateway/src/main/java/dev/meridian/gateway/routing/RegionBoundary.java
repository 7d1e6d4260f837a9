package dev.meridian.gateway.routing;

import dev.meridian.common.error.OpenAiError;
import dev.meridian.gateway.apikeys.KeyRecord;
import java.util.Optional;

/**
 * Which calls may cross from one region's gateway to another's. A sovereign region (cn-north) is sealed: its tenants
 * are served by its own gateway only, and its gateway neither forwards a call out nor accepts one forwarded in. The
 * refusals (421 {@code sovereign_region}) are worded here, so each names the gateway the caller must use.
 */
final class RegionBoundary {

    static final String CODE = "sovereign_region";

    private RegionBoundary() {
    }

    /**
     * A call authenticated at this gateway for a tenant homed in another region: empty where it may be forwarded
     * home (transit rules still apply), else the refusal.
     */
    static Optional<OpenAiError> outbound(String region, boolean sovereign, KeyRecord key) {
        String home = key.homeRegion();
        String homeGateway = gatewayOf(home, key.homeGatewayUrl());
        if (key.homeSovereign()) {
            return Optional.of(refusal("Your organization is homed in " + home + ", a sovereign region: its calls"
                    + " are served only by the " + home + " gateway and never pass through another region's"
                    + " gateway (this is " + region + "'s). Call " + homeGateway + " instead."));
        }
        if (sovereign) {
            return Optional.of(refusal("This is the gateway of " + region + ", a sovereign region: it serves only"
                    + " organizations homed in " + region + " and forwards no call out of the region. Your"
                    + " organization is homed in " + home + ": call " + homeGateway + " instead."));
        }
        return Optional.empty();
    }

    /** A call another region's gateway forwarded here: a sovereign region's gateway refuses every one. */
    static Optional<OpenAiError> inbound(String region, boolean sovereign, String forwardedBy) {
        if (!sovereign) {
            return Optional.empty();
        }
        return Optional.of(refusal("The " + region + " gateway serves a sovereign region and accepts no call"
                + " forwarded by another region's gateway (this one came through "
                + (forwardedBy == null || forwardedBy.isBlank() ? "another region" : forwardedBy) + "). Organizations"
                + " homed in " + region + " call the " + region + " gateway directly; all others call their own home"
                + " region's gateway."));
    }

    private static String gatewayOf(String region, String url) {
        return url == null || url.isBlank() ? "the " + region + " gateway" : url;
    }

    private static OpenAiError refusal(String message) {
        return OpenAiError.of("invalid_request_error", CODE, message);
    }
}
