package dev.meridian.gateway.routing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.gateway.apikeys.StandInTenancy;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A signed-in person's Keycloak token on {@code /v1} (the console calls so, for its user): with the tenant named in
 * {@code OpenAI-Organization}, the call goes as a key of the member's would, with the scopes their role may put on a
 * key; no header, a token Keycloak did not issue, a tenant they are no member of, or a role without the scope are each
 * refused in OpenAI's words. Real Keycloak tokens; tenancy's member lookup is a stand-in that counts the lookups.
 */
@QuarkusTest
@TestProfile(MemberTokensIT.WithStandInTenancy.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class MemberTokensIT {

    public static class WithStandInTenancy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("meridian.gateway.gateway-id", "eu-central-member-tokens");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StandInTenancy.class));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ObjectMapper json;

    @Test
    void aMemberCallsWithTheirTokenForTheTenantTheHeaderNamesAndTheLookupIsCached() throws Exception {
        String token = TestStack.get().newUser().accessToken();
        UUID tenant = UUID.randomUUID();
        StandInTenancy.registerMember(tenant, subjectOf(token), member(tenant, "models", "inference"));
        int before = StandInTenancy.lookups();

        as(token, tenant).get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"));
        as(token, tenant).get("/v1/models").then().statusCode(200);
        assertThat(StandInTenancy.lookups() - before).as("the second call is answered from the cache").isEqualTo(1);
    }

    @Test
    void withoutTheOrganizationHeaderOrWithOneThatIsNoTenantIdIs400SayingWhatToSend() {
        String token = TestStack.get().newUser().accessToken();
        given().auth().oauth2(token).get("/v1/models").then().statusCode(400)
                .body("error.code", equalTo("organization_required"))
                .body("error.message", containsString("OpenAI-Organization"));
        given().auth().oauth2(token).header("OpenAI-Organization", "org-acme").get("/v1/models").then()
                .statusCode(400)
                .body("error.message", containsString("'org-acme' is not a tenant id"));
    }

    @Test
    void aTokenKeycloakDidNotIssueIs401() {
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + "." + Base64.getUrlEncoder().withoutPadding().encodeToString("{\"sub\":\"x\"}".getBytes()) + ".sig";
        as(forged, UUID.randomUUID()).get("/v1/models").then().statusCode(401)
                .body("error.code", equalTo("invalid_token"));
        // another service's token is valid, but no person's: it is no member anywhere
        as(TestStack.get().serviceToken("meridian-billing"), UUID.randomUUID()).get("/v1/models").then()
                .statusCode(403).body("error.code", equalTo("not_a_member"));
    }

    @Test
    void aTenantTheUserIsNoMemberOfIs403AndReadsLikeOneThatDoesNotExist() {
        String token = TestStack.get().newUser().accessToken();
        UUID someoneElses = UUID.randomUUID();
        as(token, someoneElses).get("/v1/models").then().statusCode(403)
                .body("error.code", equalTo("not_a_member"))
                .body("error.message", containsString("or it does not exist"));
    }

    @Test
    void aRoleWithoutTheScopeIs403NamingTheRoleNotAKey() throws Exception {
        String token = TestStack.get().newUser().accessToken();
        UUID tenant = UUID.randomUUID();
        StandInTenancy.registerMember(tenant, subjectOf(token), member(tenant)); // a viewer: no scopes
        as(token, tenant).get("/v1/models").then().statusCode(403)
                .body("error.code", equalTo("insufficient_scope"))
                .body("error.message", containsString("Your role in this organization does not allow GET /v1/models"));
    }

    @Test
    void aRemovedMemberIsRefusedAsSoonAsTenancySaysSo() throws Exception {
        String token = TestStack.get().newUser().accessToken();
        UUID tenant = UUID.randomUUID();
        StandInTenancy.registerMember(tenant, subjectOf(token), member(tenant, "inference"));
        as(token, tenant).get("/v1/models").then().statusCode(200);

        StandInTenancy.forgetMember(tenant, subjectOf(token));
        TestKeys.awaitListener();
        try (var producer = new KafkaProducer<>(TestStack.get().kafkaAs("tenancy", Map.of("acks", "all")),
                new StringSerializer(), new StringSerializer())) {
            var change = new TenancyChange(UUID.randomUUID(), TenancyChange.MEMBER_REMOVED, tenant, UUID.randomUUID(),
                    null, null, null, Instant.now());
            producer.send(new ProducerRecord<>(TenancyChange.TOPIC, tenant.toString(),
                    json.writeValueAsString(change))).get();
        }
        await("the cached member dropped").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> as(token, tenant).get("/v1/models").statusCode() == 403);
    }

    private static RequestSpecification as(String token, UUID tenant) {
        return given().auth().oauth2(token).header("OpenAI-Organization", tenant.toString());
    }

    /** What tenancy's member lookup answers: the key record shape, the membership id for the key's. */
    private static String member(UUID tenant, String... scopes) throws IOException {
        var record = new LinkedHashMap<String, Object>();
        record.put("key_id", UUID.randomUUID());
        record.put("tenant_id", tenant);
        record.put("prefix", null);
        record.put("hash", null);
        record.put("scopes", List.of(scopes));
        record.put("tenant_status", "active");
        record.put("home_region", "eu-central");
        record.put("home_gateway_url", "http://localhost:8080");
        record.put("transit_allowed", true);
        record.put("plan", "payg");
        record.put("rate_limit", Map.of("requests_per_second", 100, "burst", 100));
        return JSON.writeValueAsString(record);
    }

    private static String subjectOf(String token) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1])).get("sub").asText();
    }
}
