package dev.meridian.gateway.routing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.metering.ServedRequestsRoute;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each service account opens only the internal routes meant for it, with the realm's real client-credentials
 * tokens: a forward asserts a tenant and its key's scopes, so only another gateway may send one.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class ServiceRolesIT {

    private static final String TENANT = "6d0c4f5e-0000-4000-8000-000000000001";
    private static final String KEY = "6d0c4f5e-0000-4000-8000-000000000002";

    @Test
    void everyOtherServicesAccountIsRefusedAForward() {
        for (String client : List.of("meridian-billing", "meridian-tenancy", "meridian-inference", "meridian-worker",
                "meridian-partner")) {
            given().auth().oauth2(TestStack.get().serviceToken(client))
                    .header(MeridianHeaders.TENANT_ID, TENANT).header(MeridianHeaders.KEY_ID, KEY)
                    .header(MeridianHeaders.SCOPES, "models").header(MeridianHeaders.FORWARDED_BY, "us-east")
                    .get("/internal/forward/v1/models").then()
                    .statusCode(403);
        }
        given().auth().oauth2(TestStack.get().serviceToken("meridian-gateway"))
                .header(MeridianHeaders.TENANT_ID, TENANT).header(MeridianHeaders.KEY_ID, KEY)
                .header(MeridianHeaders.SCOPES, "models").header(MeridianHeaders.FORWARDED_BY, "us-east")
                .get("/internal/forward/v1/models").then()
                .statusCode(200).body("object", equalTo("list"));
    }

    @Test
    void servedRequestCountsAreForBillingOnly() {
        String from = Instant.now().truncatedTo(ChronoUnit.HOURS).toString();
        String to = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS).toString();
        for (String client : List.of("meridian-gateway", "meridian-tenancy", "meridian-inference", "meridian-worker")) {
            given().auth().oauth2(TestStack.get().serviceToken(client)).queryParam("from", from).queryParam("to", to)
                    .get(ServedRequestsRoute.PATH).then().statusCode(403);
        }
        given().auth().oauth2(TestStack.get().serviceToken("meridian-billing")).queryParam("from", from)
                .queryParam("to", to).get(ServedRequestsRoute.PATH).then().statusCode(200);
    }

    @Test
    void anInternalPathNoRuleNamesIsRefusedToEveryService() {
        for (String client : List.of("meridian-gateway", "meridian-billing")) {
            given().auth().oauth2(TestStack.get().serviceToken(client))
                    .get("/internal/v1/anything").then().statusCode(403);
        }
    }
}
