package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.newUser;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Creating tenants, listing one's own, changing their settings, and the operators' suspend and activate. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class TenantsIT {

    @Test
    void signedUpUserCreatesATenantAndBecomesItsOwner() {
        var user = newUser();

        String id = as(user.accessToken()).body(Map.of("name", "Acme", "home_region", "eu-central"))
                .post("/api/v1/tenants").then().statusCode(201)
                .body("name", equalTo("Acme"))
                .body("status", equalTo("active"))
                .body("role", equalTo("owner"))
                .body("key_scopes", equalTo(List.of("inference", "models", "fine-tune", "billing:read")))
                .extract().path("id");

        as(user.accessToken()).get("/api/v1/tenants/{t}/members", id).then().statusCode(200)
                .body("data.size()", equalTo(1))
                .body("data[0].email", equalTo(user.email()))
                .body("data[0].user_id", equalTo(Api.subjectOf(user.accessToken())))
                .body("data[0].role", equalTo("owner"))
                .body("data[0].status", equalTo("active"));
    }

    @Test
    void myTenantsAreTheOnesIAmAnActiveMemberOfWithMyRole() {
        var user = newUser();
        String first = createTenant(user.accessToken(), "First");
        String second = createTenant(user.accessToken(), "Second");
        createTenant(newUser().accessToken(), "Someone else's");

        as(user.accessToken()).get("/api/v1/tenants").then().statusCode(200)
                .body("data.id", equalTo(List.of(first, second)))
                .body("data.role", equalTo(List.of("owner", "owner")));
    }

    @Test
    void aMemberGetsOneTenantWithTheirRole() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Team");
        var viewer = Api.memberWithRole(owner.accessToken(), tenant, "viewer");

        as(viewer.accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(200)
                .body("id", equalTo(tenant))
                .body("home_region", equalTo("eu-central"))
                .body("role", equalTo("viewer"))
                .body("key_scopes", equalTo(List.of()));
    }

    @Test
    void aNewTenantIsOnTheFreePlanUnlessItAsksForAnother() {
        var user = newUser();
        as(user.accessToken()).body(Map.of("name", "Default", "home_region", "us-east")).post("/api/v1/tenants")
                .then().statusCode(201).body("plan", equalTo("free"));
        as(user.accessToken()).body(Map.of("name", "Paying", "home_region", "us-east", "plan", "payg"))
                .post("/api/v1/tenants").then().statusCode(201).body("plan", equalTo("payg"));
    }

    @Test
    void anUnknownPlanIsRefusedNamingThePlans() {
        as(newUser().accessToken()).body(Map.of("name", "X", "home_region", "us-east", "plan", "platinum"))
                .post("/api/v1/tenants").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("platinum"))
                .body("detail", containsString("enterprise, free, payg, subscription"));
    }

    @Test
    void aContractPlanIsNotForSelfServiceButAnOperatorMayGiveIt() {
        var user = newUser();
        as(user.accessToken()).body(Map.of("name", "Big", "home_region", "us-east", "plan", "enterprise"))
                .post("/api/v1/tenants").then().statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("free, payg, subscription"))
                .body("detail", containsString("operator"));
        as(user.accessToken()).get("/api/v1/tenants").then().statusCode(200).body("data", hasSize(0));

        as(TestStack.get().operatorToken())
                .body(Map.of("name", "Big", "home_region", "us-east", "plan", "enterprise"))
                .post("/api/v1/tenants").then().statusCode(201).body("plan", equalTo("enterprise"));
    }

    @Test
    void tenantsHomedInChinaDoNotAllowTransitByDefault() {
        var user = newUser();
        as(user.accessToken()).body(Map.of("name", "Shanghai", "home_region", "cn-north")).post("/api/v1/tenants")
                .then().statusCode(201).body("transit_allowed", equalTo(false));
        as(user.accessToken()).body(Map.of("name", "Frankfurt", "home_region", "eu-central")).post("/api/v1/tenants")
                .then().statusCode(201).body("transit_allowed", equalTo(true));
    }

    @Test
    void ownersAndAdminsChangeTheNameAndTransitPolicy() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Old name");
        var admin = Api.memberWithRole(owner.accessToken(), tenant, "admin");

        as(admin.accessToken()).body(Map.of("name", "New name", "transit_allowed", false))
                .patch("/api/v1/tenants/{t}", tenant).then().statusCode(200)
                .body("name", equalTo("New name"))
                .body("transit_allowed", equalTo(false))
                .body("role", equalTo("admin"));
        as(owner.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then()
                .body("data[0].action", equalTo("tenant.updated"))
                .body("data[0].details.name", equalTo("New name"));
    }

    @Test
    void aDeveloperCannotChangeTheTenant() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Stable");
        var developer = Api.memberWithRole(owner.accessToken(), tenant, "developer");

        as(developer.accessToken()).body(Map.of("name", "Hijacked")).patch("/api/v1/tenants/{t}", tenant).then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("owner or admin"));
        as(owner.accessToken()).get("/api/v1/tenants/{t}", tenant).then().body("name", equalTo("Stable"));
    }

    @Test
    void aBlankNameIsRefused() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Named");

        as(owner.accessToken()).body(Map.of("name", "   ")).patch("/api/v1/tenants/{t}", tenant).then()
                .statusCode(400)
                .body("errors[0].field", equalTo("name"))
                .body("errors[0].message", containsString("blank"));
    }

    @Test
    void onlyOperatorsSuspendAndReactivateATenant() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Suspendable");
        String operator = TestStack.get().operatorToken();

        as(owner.accessToken()).post("/api/v1/tenants/{t}/suspend", tenant).then().statusCode(403)
                .body("detail", containsString("platform-admin"));
        as(operator).post("/api/v1/tenants/{t}/suspend", tenant).then().statusCode(200)
                .body("status", equalTo("suspended"));
        as(owner.accessToken()).get("/api/v1/tenants/{t}", tenant).then().body("status", equalTo("suspended"));
        as(operator).post("/api/v1/tenants/{t}/activate", tenant).then().statusCode(200)
                .body("status", equalTo("active"));
        as(owner.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then()
                .body("data.action", hasItem("tenant.suspended"))
                .body("data.action", hasItem("tenant.activated"));
    }

    @Test
    void someoneWhoIsNeitherOperatorNorMemberCannotSuspendAndLearnsNothing() {
        String tenant = createTenant(newUser().accessToken(), "Target");

        as(newUser().accessToken()).post("/api/v1/tenants/{t}/suspend", tenant).then().statusCode(404);
    }
}
