package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * cn-north runs as a sovereign region: its tenants are served by its own gateway only, every other gateway refuses
 * them (never forwarding), its gateway forwards no other region's tenant out, and its usage is billed in CNY.
 */
class SovereignRegionIT {

    private static Response embed(String gateway, String key) {
        return given().baseUri(gateway).header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "input", List.of("你好，世界")))
                .post("/v1/embeddings");
    }

    @Test
    void theRegionsDirectoryMarksCnNorthSovereignWithItsRunningGateway() {
        given().baseUri(SystemUnderTest.eu()).get("/api/v1/regions").then().statusCode(200)
                .body("data.find { it.id == 'cn-north' }.sovereign", equalTo(true))
                .body("data.find { it.id == 'cn-north' }.gateway_url", equalTo(SystemUnderTest.cn()))
                .body("data.find { it.id == 'eu-central' }.sovereign", equalTo(false));
    }

    @Test
    void aCnNorthTenantIsServedOnlyByCnNorthAndBilledInCny() {
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Beijing Analytics", "cn-north");
        String key = owner.createKeySecret(tenant, List.of("inference"));

        embed(SystemUnderTest.cn(), key).then().statusCode(200)
                .header("X-Meridian-Served-By", equalTo("cn-north"))
                .body("data", hasSize(1));
        for (String elsewhere : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            embed(elsewhere, key).then().statusCode(421)
                    .header("X-Meridian-Served-By", equalTo(null))
                    .body("error.code", equalTo("sovereign_region"))
                    .body("error.message", containsString(SystemUnderTest.cn()));
        }

        // billed: billing counts the served call against the tenant's cn-north account, which prices in CNY
        owner.api().queryParam("tenant_id", tenant).get("/api/v1/billing/plan").then().statusCode(200)
                .body("region", equalTo("cn-north"))
                .body("currency", equalTo("CNY"));
        await("billing has counted the cn-north tenant's embedding call").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> owner.api().queryParam("tenant_id", tenant).queryParam("group_by", "model")
                        .get("/api/v1/billing/usage"), (Response r) -> {
                            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
                            List<Map<String, Object>> figures = r.path("data");
                            assertThat(figures).as(r.asString()).anySatisfy(f -> {
                                assertThat(f).containsEntry("meter", "requests")
                                        .containsEntry("model", "all-minilm-l6-v2");
                                assertThat(((Number) f.get("quantity")).longValue()).isEqualTo(1);
                            });
                        });
    }

    @Test
    void cnNorthsGatewayRefusesAnotherRegionsTenantNamingItsHomeAndNeverForwards() {
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Frankfurt Travel", "eu-central");
        String key = owner.createKeySecret(tenant, List.of("inference"));

        embed(SystemUnderTest.cn(), key).then().statusCode(421)
                .header("X-Meridian-Served-By", not(equalTo("eu-central")))
                .body("error.code", equalTo("sovereign_region"))
                .body("error.message", allOf(containsString("eu-central"), containsString(SystemUnderTest.eu())));
        // the same key is served at home and, as before, through us-east
        embed(SystemUnderTest.eu(), key).then().statusCode(200).header("X-Meridian-Served-By", equalTo("eu-central"));
        embed(SystemUnderTest.us(), key).then().statusCode(200).header("X-Meridian-Served-By", equalTo("eu-central"));
    }
}
