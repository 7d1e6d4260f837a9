package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Billing owns plans: a plan an operator sets in billing reaches tenancy through {@code billing.plans} and every
 * gateway through {@code tenancy.changes}, so the key's rate limit follows. The gateways say the limit in
 * {@code x-ratelimit-limit-requests} (requests per second of tenancy's plans: free 5, enterprise 1000).
 */
class PlanChangeIT {

    static final String LIMIT = "x-ratelimit-limit-requests";
    static final Duration PROPAGATION = Duration.ofSeconds(15);

    @Test
    void aPlanSetInBillingSetsTheRateLimitAtEveryGateway() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Upgrading", "eu-central");
        String key = user.createKeySecret(tenant, List.of("models"));
        // both gateways hold the key with the free plan's limit before the change
        Gateways.listModels(SystemUnderTest.eu(), key).then().statusCode(200).header(LIMIT, "5");
        Gateways.listModels(SystemUnderTest.us(), key).then().statusCode(200).header(LIMIT, "5");

        Operator.setPlan(tenant, "enterprise", "eu-central");

        Duration eu = Gateways.timeUntil(SystemUnderTest.eu(), key, "limits the key as enterprise", limitIs("1000"),
                PROPAGATION);
        Duration us = Gateways.timeUntil(SystemUnderTest.us(), key, "limits the key as enterprise", limitIs("1000"),
                PROPAGATION);
        System.out.printf("[plan change] billing -> tenancy -> gateways: eu-central %d ms, us-east %d ms%n",
                eu.toMillis(), us.toMillis());
        for (int i = 0; i < 30; i++) {
            // far above the free plan's burst of 10, well within enterprise's 2000
            Gateways.listModels(SystemUnderTest.eu(), key).then().statusCode(200);
        }
        user.api().get("/api/v1/tenants/{t}", tenant).then().statusCode(200).body("plan", equalTo("enterprise"));
    }

    @Test
    void aTenantCreatedOnAPlanIsOnItInBillingTooAndAnOperatorsLaterChangeWins() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Paying", "eu-central", "payg");
        String key = user.createKeySecret(tenant, List.of("models"));
        Gateways.listModels(SystemUnderTest.eu(), key).then().statusCode(200).header(LIMIT, "50");

        // The owner may read billing before billing has heard of the tenant (it then opens the account on its
        // default plan, which the sign-up plan replaces): either way billing ends on the plan tenancy has.
        awaitBillingPlan(user, tenant, "payg");

        Operator.setPlan(tenant, "subscription", "eu-central");
        Gateways.timeUntil(SystemUnderTest.eu(), key, "limits the key as subscription", limitIs("200"), PROPAGATION);
        awaitBillingPlan(user, tenant, "subscription");
        user.api().get("/api/v1/tenants/{t}", tenant).then().statusCode(200).body("plan", equalTo("subscription"));
    }

    /** Polls the plan billing holds, as the tenant's owner reads it in the console, until it is {@code plan}. */
    private static void awaitBillingPlan(ConsoleUser user, String tenant, String plan) {
        await("billing's plan of " + tenant + " to be " + plan).atMost(PROPAGATION).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> billingPlan(user, tenant), r -> {
                    assertThat(r.statusCode()).as("billing's plan of %s: %s", tenant, r.asString()).isEqualTo(200);
                    assertThat(r.<String>path("plan")).as("billing's plan of %s", tenant).isEqualTo(plan);
                });
    }

    private static Response billingPlan(ConsoleUser user, String tenant) {
        return user.api().queryParam("tenant_id", tenant).get("/api/v1/billing/plan");
    }

    private static Predicate<Response> limitIs(String requestsPerSecond) {
        return r -> requestsPerSecond.equals(r.header(LIMIT));
    }
}
