package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Revocation and suspension reach every regional gateway through tenancy's outbox and Kafka within a second. */
class RevocationIT {

    @Test
    void revokedKeyIsRefusedByEveryGatewayWithinOneSecond() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Revoke", "eu-central");
        var created = user.createKey(tenant, "doomed", List.of("models"));
        String key = created.path("key");
        // Warm both gateways' caches, so that only the push invalidation can make them refuse the key in time.
        Gateways.listModels(SystemUnderTest.eu(), key).then().statusCode(200);
        Gateways.listModels(SystemUnderTest.us(), key).then().statusCode(200);

        user.api().body(Map.of()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, created.path("id"))
                .then().statusCode(200).body("revoked_at", org.hamcrest.Matchers.notNullValue());

        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            Duration took = Gateways.timeUntil(gateway, key, "refuses the revoked key", r -> r.statusCode() == 401,
                    Duration.ofSeconds(1));
            System.out.printf("revocation reached %s in %d ms%n", gateway, took.toMillis());
            Gateways.listModels(gateway, key).then().statusCode(401)
                    .body("error.code", equalTo("api_key_revoked"))
                    .body("error.type", equalTo("invalid_request_error"));
        }
    }

    @Test
    void suspendedTenantIsRefusedByEveryGatewayAndWorksAgainWhenReactivated() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Suspend", "eu-central");
        String key = user.createKeySecret(tenant, List.of("models"));
        Gateways.listModels(SystemUnderTest.eu(), key).then().statusCode(200);
        Gateways.listModels(SystemUnderTest.us(), key).then().statusCode(200);

        Operator.post("/api/v1/tenants/{t}/suspend", tenant).then().statusCode(200).body("status", equalTo("suspended"));
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            Gateways.timeUntil(gateway, key, "refuses the suspended tenant's key", r -> r.statusCode() == 403,
                    Duration.ofSeconds(1));
            Gateways.listModels(gateway, key).then().body("error.code", equalTo("tenant_suspended"));
        }

        Operator.post("/api/v1/tenants/{t}/activate", tenant).then().statusCode(200).body("status", equalTo("active"));
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            Duration took = Gateways.timeUntil(gateway, key, "accepts the reactivated tenant's key",
                    r -> r.statusCode() == 200, Duration.ofSeconds(1));
            assertThat(took).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void tenantOwnerCannotSuspendTheirOwnTenant() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("SelfSuspend", "eu-central");
        user.api().body(Map.of()).post("/api/v1/tenants/{t}/suspend", tenant).then().statusCode(403);
    }
}
