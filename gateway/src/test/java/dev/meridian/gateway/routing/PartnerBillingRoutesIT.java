package dev.meridian.gateway.routing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.gateway.budgets.StandInBilling;
import dev.meridian.gateway.budgets.WithBilling;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Billing's partner routes ({@code /api/v1/partners/{p}/statements…}, {@code /api/v1/partners/{p}/tenants/{t}/plan})
 * reach billing with the caller's token unchanged; the rest of {@code /api/v1/partners} stays tenancy's.
 */
@QuarkusTest
@TestProfile(WithBilling.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class PartnerBillingRoutesIT {

    @Inject
    KeyDirectory keys;

    private static boolean billingSaw(String marker) {
        return StandInBilling.calls("/api/v1/partners/").stream().anyMatch(c -> c.path().contains(marker));
    }

    @Test
    void statementsAndPlanChangesGoToBillingWithThePartnersOwnToken() {
        String token = TestStack.get().serviceToken("meridian-partner");
        UUID partner = UUID.randomUUID();
        for (String path : new String[] {"/statements", "/statements/" + UUID.randomUUID(),
                "/statements/" + UUID.randomUUID() + ".pdf"}) {
            String marker = UUID.randomUUID().toString();
            given().auth().oauth2(token).get("/api/v1/partners/" + partner + path + "?m=" + marker).then()
                    .statusCode(200);
            var call = StandInBilling.calls("/api/v1/partners/" + partner + path).stream()
                    .filter(c -> c.path().contains(marker)).findFirst().orElseThrow();
            assertThat(call.headers().get("Authorization")).isEqualTo("Bearer " + token);
        }
        String marker = UUID.randomUUID().toString();
        given().auth().oauth2(token).contentType("application/json").body("{\"plan\":\"payg\"}")
                .put("/api/v1/partners/" + partner + "/tenants/" + UUID.randomUUID() + "/plan?m=" + marker).then()
                .statusCode(200);
        assertThat(StandInBilling.calls("/api/v1/partners/").stream()
                .filter(c -> c.path().contains(marker)).findFirst().orElseThrow().method()).isEqualTo("PUT");
    }

    @Test
    void tenancysPartnerRoutesAndApiKeysNeverReachBilling() {
        String token = TestStack.get().serviceToken("meridian-partner");
        String marker = UUID.randomUUID().toString();
        given().auth().oauth2(token).get("/api/v1/partners/" + UUID.randomUUID() + "/tenants?m=" + marker);
        given().auth().oauth2(token).get("/api/v1/partners/" + UUID.randomUUID() + "/statementsx?m=" + marker);
        assertThat(billingSaw(marker)).isFalse();

        var key = TestKeys.seed(keys, TestKeys.Spec.active().withScopes("billing:read"));
        given().header("Authorization", "Bearer " + key.key())
                .get("/api/v1/partners/" + UUID.randomUUID() + "/statements?m=" + marker).then().statusCode(401);
        assertThat(billingSaw(marker)).isFalse();
    }
}
