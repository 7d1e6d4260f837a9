package dev.meridian.models.finetune.rest;

import dev.meridian.common.tenant.MeridianHeaders;
import java.util.UUID;

/** The tenant a call is for, as the gateway that authenticated it says in {@link MeridianHeaders#TENANT_ID}. */
final class Callers {

    private Callers() {
    }

    static UUID tenant(String header) {
        if (header == null || header.isBlank()) {
            throw new FineTuneException(401, "missing_tenant", null, "The call carries no "
                    + MeridianHeaders.TENANT_ID + "; call through a Meridian gateway with an API key.");
        }
        try {
            return UUID.fromString(header.trim());
        } catch (IllegalArgumentException e) {
            throw new FineTuneException(400, "invalid_tenant", null, MeridianHeaders.TENANT_ID + " is not a tenant id.");
        }
    }

    static int limit(Integer limit, int fallback) {
        if (limit == null) {
            return fallback;
        }
        if (limit < 1 || limit > 100) {
            throw FineTuneException.badRequest("invalid_limit", "limit", "`limit` must be from 1 to 100; got "
                    + limit + ".");
        }
        return limit;
    }
}
