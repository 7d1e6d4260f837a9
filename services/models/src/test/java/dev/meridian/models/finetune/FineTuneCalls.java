package dev.meridian.models.finetune;

import static io.restassured.RestAssured.given;

import dev.meridian.common.tenant.MeridianHeaders;
import io.restassured.specification.RequestSpecification;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Calls as a gateway makes them: a client-credentials token of the gateway's service account from the real Keycloak,
 * and the tenant the gateway authenticated in {@link MeridianHeaders#TENANT_ID}.
 */
final class FineTuneCalls {

    private static volatile String token;

    private FineTuneCalls() {
    }

    static RequestSpecification as(UUID tenant) {
        return given().header("Authorization", "Bearer " + serviceToken())
                .header(MeridianHeaders.TENANT_ID, tenant.toString());
    }

    static String serviceToken() {
        if (token == null) {
            var config = ConfigProvider.getConfig();
            String realm = config.getValue("quarkus.oidc.auth-server-url", String.class);
            token = given().formParam("grant_type", "client_credentials").formParam("client_id", "meridian-gateway")
                    .formParam("client_secret", config.getValue("meridian.test.gateway-client-secret", String.class))
                    .post(realm + "/protocol/openid-connect/token").then().statusCode(200).extract()
                    .path("access_token");
        }
        return token;
    }

    static String jsonl(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    static String upload(UUID tenant, String name, String content) {
        return as(tenant).multiPart("purpose", "fine-tune")
                .multiPart("file", name, content.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        "application/jsonl")
                .post("/v1/files").then().statusCode(200).extract().path("id");
    }
}
