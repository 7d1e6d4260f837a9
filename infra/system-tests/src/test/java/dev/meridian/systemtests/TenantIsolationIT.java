package dev.meridian.systemtests;

import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One tenant's member can neither see nor touch another tenant's data: every such call is 404, never the row. */
class TenantIsolationIT {

    @Test
    void anotherTenantsKeysMembersAndAuditAreNotFound() {
        var alice = ConsoleUser.signUp();
        String aliceTenant = alice.createTenant("Alice Co", "eu-central");
        var aliceKey = alice.createKey(aliceTenant, "prod", List.of("models"));
        String aliceKeyId = aliceKey.path("id");

        var mallory = ConsoleUser.signUp();
        mallory.createTenant("Mallory Co", "eu-central");

        mallory.api().get("/api/v1/tenants/{t}", aliceTenant).then().statusCode(404);
        mallory.api().get("/api/v1/tenants/{t}/api-keys", aliceTenant).then().statusCode(404);
        mallory.api().get("/api/v1/tenants/{t}/api-keys/{k}", aliceTenant, aliceKeyId).then().statusCode(404);
        mallory.api().get("/api/v1/tenants/{t}/members", aliceTenant).then().statusCode(404);
        mallory.api().get("/api/v1/tenants/{t}/audit-events", aliceTenant).then().statusCode(404);
        mallory.api().body(Map.of()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", aliceTenant, aliceKeyId)
                .then().statusCode(404);
        mallory.api().body(Map.of("email", "mallory@example.test", "role", "owner"))
                .post("/api/v1/tenants/{t}/members", aliceTenant).then().statusCode(404);

        // Nothing Mallory tried changed Alice's key, and Alice's audit log shows no foreign action.
        Gateways.listModels(SystemUnderTest.eu(), aliceKey.path("key")).then().statusCode(200);
        alice.api().get("/api/v1/tenants/{t}/audit-events", aliceTenant).then().statusCode(200)
                .body("data.actor.email.flatten().unique()", equalTo(List.of(alice.email())));
    }

    @Test
    void aTenantListShowsOnlyTheCallersOwnTenants() {
        var bob = ConsoleUser.signUp();
        String bobs = bob.createTenant("Bob Co", "us-east");
        var carol = ConsoleUser.signUp();
        carol.createTenant("Carol Co", "eu-central");

        bob.api().get("/api/v1/tenants").then().statusCode(200)
                .body("data.id", equalTo(List.of(bobs)))
                .body("data[0].role", equalTo("owner"));
    }
}
