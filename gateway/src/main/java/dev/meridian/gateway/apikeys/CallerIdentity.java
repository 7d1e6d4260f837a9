package dev.meridian.gateway.apikeys;

import java.util.List;

/** Who a /v1 call is for, once the gateway has authenticated it (or trusted a forwarding gateway). */
public record CallerIdentity(String tenantId, String keyId, List<String> scopes, String enteredAt) {
}
