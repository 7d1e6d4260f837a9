package dev.meridian.gateway.budgets;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code /api/v1/billing/*} reaches billing with a console token or an API key that may read billing. */
@QuarkusTest
@TestProfile(WithBilling.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class BillingProxyIT {

    @Inject
    KeyDirectory keys;

    private static StandInBilling.Call lastCallTo(String marker) {
        return StandInBilling.calls("/api/v1/billing").stream().filter(c -> c.path().contains(marker))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("billing saw no call to " + marker));
    }

    @Test
    void anApiKeyWithBillingReadReadsItsTenantsBillingAndBillingNeverSeesTheKey() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().withScopes("billing:read"));
        String marker = UUID.randomUUID().toString();
        given().header("Authorization", "Bearer " + key.key())
                .get("/api/v1/billing/tenants/{t}/usage?m=" + marker, key.record().tenantId()).then()
                .statusCode(200)
                .body("object", equalTo("billing"));
        var call = lastCallTo(marker);
        assertThat(call.headers().get(MeridianHeaders.TENANT_ID)).isEqualTo(key.record().tenantId().toString());
        assertThat(call.headers().get(MeridianHeaders.KEY_ID)).isEqualTo(key.record().keyId().toString());
        assertThat(call.headers().get(MeridianHeaders.SCOPES)).isEqualTo("billing:read");
        assertThat(call.headers().get("Authorization")).doesNotContain(key.key())
                .matches("Bearer [\\w-]+\\.[\\w-]+\\.[\\w-]+");
    }

    @Test
    void anApiKeyWithoutBillingReadIsRefusedAndNoKeyMayWrite() {
        var inference = TestKeys.seed(keys, TestKeys.Spec.active());
        given().header("Authorization", "Bearer " + inference.key()).get("/api/v1/billing/plans").then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("billing:read"));
        var reader = TestKeys.seed(keys, TestKeys.Spec.active().withScopes("billing:read"));
        given().header("Authorization", "Bearer " + reader.key()).contentType("application/json").body("{}")
                .post("/api/v1/billing/tenants/{t}/budgets", reader.record().tenantId()).then()
                .statusCode(403)
                .body("detail", containsString("console"));
    }

    @Test
    void aKeycloakTokenIsValidatedAndPassedOnUnchanged() {
        String token = TestStack.get().serviceToken("meridian-partner");
        String marker = UUID.randomUUID().toString();
        given().auth().oauth2(token).header(MeridianHeaders.TENANT_ID, "forged")
                .get("/api/v1/billing/plans?m=" + marker).then()
                .statusCode(200);
        var call = lastCallTo(marker);
        assertThat(call.headers().get("Authorization")).isEqualTo("Bearer " + token);
        assertThat(call.headers()).doesNotContainKey(MeridianHeaders.TENANT_ID);
    }

    @Test
    void aForgedTokenOrNoneIs401() {
        given().auth().oauth2("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl").get("/api/v1/billing/plans").then()
                .statusCode(401)
                .contentType("application/problem+json");
        given().get("/api/v1/billing/plans").then()
                .statusCode(401);
    }
}
