package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.memberIdOf;
import static dev.meridian.tenancy.Api.memberWithRole;
import static dev.meridian.tenancy.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.meridian.stack.OidcBrowser;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Inviting people, accepting, changing roles, removing; a tenant always keeps an owner. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class MembersIT {

    @Test
    void anInvitedPersonSeesTheInvitationAcceptsItAndBecomesAnActiveMember() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Team");
        var invitee = newUser();

        String memberId = as(owner.accessToken()).body(Map.of("email", invitee.email().toUpperCase(), "role", "developer"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201)
                .body("status", equalTo("invited"))
                .body("email", equalTo(invitee.email()))
                .body("user_id", equalTo(null))
                .extract().path("id");
        as(invitee.accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(404);
        as(invitee.accessToken()).get("/api/v1/invitations").then().statusCode(200)
                .body("data.id", equalTo(List.of(memberId)))
                .body("data[0].tenant_id", equalTo(tenant));

        as(invitee.accessToken()).post("/api/v1/invitations/{m}/accept", memberId).then().statusCode(200)
                .body("status", equalTo("active"))
                .body("user_id", equalTo(Api.subjectOf(invitee.accessToken())));

        as(invitee.accessToken()).get("/api/v1/tenants").then()
                .body("data.id", equalTo(List.of(tenant)))
                .body("data[0].role", equalTo("developer"));
        as(invitee.accessToken()).get("/api/v1/invitations").then().body("data.size()", equalTo(0));
    }

    @Test
    void anInvitationForAnotherAddressCannotBeAccepted() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Private");
        String memberId = as(owner.accessToken()).body(Map.of("email", "someone-else@example.test", "role", "admin"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201).extract().path("id");
        var intruder = newUser();

        as(intruder.accessToken()).get("/api/v1/invitations").then().body("data.size()", equalTo(0));
        as(intruder.accessToken()).post("/api/v1/invitations/{m}/accept", memberId).then().statusCode(404);
        as(intruder.accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(404);
    }

    @Test
    void signingUpWithAnInviteesAddressGivesNoSignInUntilTheMailedLinkIsFollowed() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Invite by mail");
        String invitee = "invitee-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        String memberId = as(owner.accessToken()).body(Map.of("email", invitee, "role", "developer"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201).extract().path("id");

        // whoever registers the address first gets no token, so cannot accept, until the address is proven theirs
        var signUp = OidcBrowser.startSignUp(TestStack.get().keycloakUrl(), invitee, "Pw-" + UUID.randomUUID(),
                "Not", "Verified");
        assertThat(signUp.awaitsVerification()).isTrue();
        assertThatThrownBy(signUp::tokens).hasMessageContaining("verified");

        String token = signUp.verify(TestStack.get().mailbox()).accessToken();
        assertThat(OidcBrowser.claim(token, "email_verified")).contains("true");
        as(token).post("/api/v1/invitations/{m}/accept", memberId).then().statusCode(200)
                .body("status", equalTo("active"));
    }

    @Test
    void anInvitationIsNotAcceptedFromAnAddressThatIsNotVerified() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Hijack");
        String invitee = "invitee-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        String memberId = as(owner.accessToken()).body(Map.of("email", invitee, "role", "admin"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201).extract().path("id");
        // A signed-in person changes their address to the invitee's (as on the account page): Keycloak marks it
        // unverified, and the session's next tokens carry it with email_verified false.
        var mallory = newUser();
        var keycloak = TestStack.get().keycloakAdmin();
        String malloryId = keycloak.userIdByEmail(mallory.email()).orElseThrow();
        keycloak.changeEmail(malloryId, invitee, false);
        String unverified = OidcBrowser.refresh(TestStack.get().keycloakUrl(), mallory.refreshToken()).accessToken();
        assertThat(OidcBrowser.claim(unverified, "email")).contains(invitee);
        assertThat(OidcBrowser.claim(unverified, "email_verified")).contains("false");

        as(unverified).post("/api/v1/invitations/{m}/accept", memberId).then().statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("Verify your e-mail address " + invitee + " first"));
        as(owner.accessToken()).get("/api/v1/tenants/{t}/members", tenant).then()
                .body("data.find { it.id == '" + memberId + "' }.status", equalTo("invited"))
                .body("data.find { it.id == '" + memberId + "' }.user_id", equalTo(null));

        // the owner of the mailbox follows Keycloak's verification link: now the address is proven
        keycloak.sendVerifyEmail(malloryId);
        OidcBrowser.openMailLink(TestStack.get().keycloakUrl(),
                TestStack.get().mailbox().awaitActionLink(invitee, Duration.ofSeconds(60)));
        String verified = OidcBrowser.refresh(TestStack.get().keycloakUrl(), mallory.refreshToken()).accessToken();
        assertThat(OidcBrowser.claim(verified, "email_verified")).contains("true");
        as(verified).post("/api/v1/invitations/{m}/accept", memberId).then().statusCode(200)
                .body("status", equalTo("active"));
    }

    @Test
    void invitingTheSameAddressTwiceIsAConflict() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Twice");
        as(owner.accessToken()).body(Map.of("email", "dup@example.test", "role", "viewer"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201);

        as(owner.accessToken()).body(Map.of("email", "DUP@example.test", "role", "admin"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(409)
                .body("detail", containsString("already a member or invited"));
    }

    @Test
    void anUnknownRoleIsRefusedNamingTheRoles() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Roles");

        as(owner.accessToken()).body(Map.of("email", "x@example.test", "role", "superuser"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(400)
                .body("errors[0].field", equalTo("role"))
                .body("detail", containsString("owner, admin, developer, billing, viewer"));
    }

    @Test
    void anAdminChangesRolesAndRemovesMembers() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Admin work");
        var admin = memberWithRole(owner.accessToken(), tenant, "admin");
        var developer = memberWithRole(owner.accessToken(), tenant, "developer");
        String developerId = memberIdOf(owner.accessToken(), tenant, developer.email());

        as(admin.accessToken()).body(Map.of("role", "viewer"))
                .patch("/api/v1/tenants/{t}/members/{m}", tenant, developerId).then().statusCode(200)
                .body("role", equalTo("viewer"));
        as(developer.accessToken()).get("/api/v1/tenants/{t}", tenant).then().body("role", equalTo("viewer"));

        as(admin.accessToken()).delete("/api/v1/tenants/{t}/members/{m}", tenant, developerId).then().statusCode(204);
        as(developer.accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(404);
        as(owner.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then()
                .body("data.action", hasItem("member.invited"))
                .body("data.action", hasItem("member.accepted"))
                .body("data.action", hasItem("member.role_changed"))
                .body("data.action", hasItem("member.removed"));
    }

    @Test
    void onlyAnOwnerGrantsOrTakesTheOwnerRole() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Owners");
        var admin = memberWithRole(owner.accessToken(), tenant, "admin");
        String ownerId = memberIdOf(owner.accessToken(), tenant, owner.email());
        String adminId = memberIdOf(owner.accessToken(), tenant, admin.email());

        as(admin.accessToken()).body(Map.of("role", "owner"))
                .patch("/api/v1/tenants/{t}/members/{m}", tenant, adminId).then().statusCode(403)
                .body("detail", containsString("Only an owner"));
        as(admin.accessToken()).body(Map.of("role", "viewer"))
                .patch("/api/v1/tenants/{t}/members/{m}", tenant, ownerId).then().statusCode(403);
        as(admin.accessToken()).delete("/api/v1/tenants/{t}/members/{m}", tenant, ownerId).then().statusCode(403);
        as(admin.accessToken()).body(Map.of("email", "new-owner@example.test", "role", "owner"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(403);

        as(owner.accessToken()).body(Map.of("role", "owner"))
                .patch("/api/v1/tenants/{t}/members/{m}", tenant, adminId).then().statusCode(200)
                .body("role", equalTo("owner"));
    }

    @Test
    void theLastOwnerCanBeNeitherRemovedNorDemoted() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Solo");
        String ownerId = memberIdOf(owner.accessToken(), tenant, owner.email());

        as(owner.accessToken()).delete("/api/v1/tenants/{t}/members/{m}", tenant, ownerId).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("last owner"))
                .body("detail", containsString("Make another member owner first"));
        as(owner.accessToken()).body(Map.of("role", "admin"))
                .patch("/api/v1/tenants/{t}/members/{m}", tenant, ownerId).then().statusCode(409)
                .body("detail", containsString("last owner"));
        as(owner.accessToken()).get("/api/v1/tenants/{t}/members", tenant).then()
                .body("data[0].role", equalTo("owner"));
    }

    @Test
    void anOwnerMayStepDownOnceThereIsAnotherOwner() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Handover");
        var successor = memberWithRole(owner.accessToken(), tenant, "owner");
        String ownerId = memberIdOf(owner.accessToken(), tenant, owner.email());

        as(owner.accessToken()).body(Map.of("role", "developer"))
                .patch("/api/v1/tenants/{t}/members/{m}", tenant, ownerId).then().statusCode(200)
                .body("role", equalTo("developer"));
        String successorId = memberIdOf(successor.accessToken(), tenant, successor.email());
        as(successor.accessToken()).delete("/api/v1/tenants/{t}/members/{m}", tenant, successorId).then()
                .statusCode(409);
    }

    @Test
    void anInvitationThatWasNotAcceptedDoesNotCountAsAnOwner() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Pending owner");
        as(owner.accessToken()).body(Map.of("email", "future-owner@example.test", "role", "owner"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201);
        String ownerId = memberIdOf(owner.accessToken(), tenant, owner.email());

        as(owner.accessToken()).delete("/api/v1/tenants/{t}/members/{m}", tenant, ownerId).then().statusCode(409);
    }

    @Test
    void developersAndViewersCannotManageMembers() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Limits");
        var developer = memberWithRole(owner.accessToken(), tenant, "developer");
        var viewer = memberWithRole(owner.accessToken(), tenant, "viewer");
        String viewerId = memberIdOf(owner.accessToken(), tenant, viewer.email());

        as(developer.accessToken()).body(Map.of("email", "x@example.test", "role", "viewer"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("'developer'"))
                .body("detail", containsString("owner or admin"));
        as(viewer.accessToken()).body(Map.of("role", "admin"))
                .patch("/api/v1/tenants/{t}/members/{m}", tenant, viewerId).then().statusCode(403);
        as(developer.accessToken()).delete("/api/v1/tenants/{t}/members/{m}", tenant, viewerId).then()
                .statusCode(403);
        as(viewer.accessToken()).get("/api/v1/tenants/{t}/members", tenant).then().statusCode(200)
                .body("data.email", hasItem(viewer.email()))
                .body("data.email", not(hasItem("x@example.test")));
    }

    @Test
    void aRemovedMembersPersonalDataLeavesTheTenantsRecordsAndTheAuditTrailKeepsAPseudonym() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Forgets removed people");
        var admin = memberWithRole(owner.accessToken(), tenant, "admin");
        String subject = Api.subjectOf(admin.accessToken());
        String memberId = memberIdOf(owner.accessToken(), tenant, admin.email());
        Api.createKey(admin.accessToken(), tenant, "made by the admin", "inference");
        as(admin.accessToken()).body(Map.of("email", "guest-" + UUID.randomUUID() + "@example.test", "role", "viewer"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201);

        as(owner.accessToken()).delete("/api/v1/tenants/{t}/members/{m}", tenant, memberId).then().statusCode(204);

        String pseudonym = "former-member:" + memberId;
        String trail = as(owner.accessToken()).queryParam("limit", 200)
                .get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(200).extract().asString();
        assertThat(trail).doesNotContainIgnoringCase(admin.email()).doesNotContain(subject).contains(pseudonym);
        as(owner.accessToken()).queryParam("action", "member.removed").get("/api/v1/tenants/{t}/audit-events", tenant)
                .then().statusCode(200).body("data[0].details.member", equalTo(pseudonym));
        as(owner.accessToken()).queryParam("action", "api_key.created").get("/api/v1/tenants/{t}/audit-events", tenant)
                .then().statusCode(200).body("data[0].actor.id", equalTo(pseudonym))
                .body("data[0].actor.email", equalTo(null));

        // what is stored, read past row-level security: no row of the tenant names the person any more
        assertThat(Api.count("select count(*) from audit_events where tenant_id = ?::uuid and (actor_id = ?"
                + " or lower(actor_email) = lower(?) or details::text like ? or lower(details::text) like lower(?))",
                tenant, subject, admin.email(), "%" + subject + "%", "%" + admin.email() + "%")).isZero();
        assertThat(Api.count("select count(*) from api_keys where tenant_id = ?::uuid and created_by = ?", tenant,
                subject)).isZero();
        assertThat(Api.count("select count(*) from members where tenant_id = ?::uuid and (invited_by = ?"
                + " or user_id = ? or lower(email) = lower(?))", tenant, subject, subject, admin.email())).isZero();
        // the owner's own records are untouched
        String ownerSubject = Api.subjectOf(owner.accessToken());
        assertThat(Api.count("select count(*) from audit_events where tenant_id = ?::uuid and actor_id = ?", tenant,
                ownerSubject)).isPositive();
    }
}
