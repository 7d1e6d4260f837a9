package dev.meridian.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.CallerIdentity;
import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallerHeadersTest {

    private static final CallerIdentity CALLER = new CallerIdentity("tenant-1", "key-1",
            List.of("models", "inference"), "eu-central");

    private static MultiMap fromClient() {
        return MultiMap.caseInsensitiveMultiMap()
                .add("Authorization", "Bearer mk_AAAAAAAAAAAA_secret")
                .add("x-meridian-tenant-id", "someone-else")
                .add("X-Meridian-Forwarded-By", "us-east")
                .add("X-MERIDIAN-SCOPES", "admin")
                .add("Content-Type", "application/json")
                .add("Accept", "application/json")
                .add("OpenAI-Organization", "org-1")
                .add("Connection", "keep-alive")
                .add("Transfer-Encoding", "chunked")
                .add("Host", "gateway.example")
                .add("Content-Length", "12");
    }

    @Test
    void theClientsApiKeyNeverLeavesTheGateway() {
        var headers = CallerHeaders.onBehalfOf(fromClient(), CALLER, "service-token", "req-1");
        assertThat(headers.getAll("Authorization")).containsExactly("Bearer service-token");
        assertThat(headers.toString()).doesNotContain("mk_AAAAAAAAAAAA_secret");
    }

    @Test
    void meridianHeadersSentByTheClientAreReplacedByTheGatewaysOwn() {
        var headers = CallerHeaders.onBehalfOf(fromClient(), CALLER, "service-token", "req-1");
        assertThat(headers.getAll(MeridianHeaders.TENANT_ID)).containsExactly("tenant-1");
        assertThat(headers.getAll(MeridianHeaders.SCOPES)).containsExactly("models,inference");
        assertThat(headers.contains(MeridianHeaders.FORWARDED_BY)).isFalse();
    }

    @Test
    void theCallersIdentityIsAdded() {
        var headers = CallerHeaders.onBehalfOf(fromClient(), CALLER, "service-token", "req-1");
        assertThat(headers.get(MeridianHeaders.KEY_ID)).isEqualTo("key-1");
        assertThat(headers.get(MeridianHeaders.REGION)).isEqualTo("eu-central");
        assertThat(headers.get(MeridianHeaders.REQUEST_ID)).isEqualTo("req-1");
    }

    @Test
    void ordinaryHeadersPassAndHopByHopOnesDoNot() {
        var headers = CallerHeaders.onBehalfOf(fromClient(), CALLER, "service-token", "req-1");
        assertThat(headers.get("Content-Type")).isEqualTo("application/json");
        assertThat(headers.get("Accept")).isEqualTo("application/json");
        assertThat(headers.get("OpenAI-Organization")).isEqualTo("org-1");
        assertThat(headers.names()).noneMatch(n -> List.of("connection", "transfer-encoding", "host",
                "content-length").contains(n.toLowerCase()));
    }

    @Test
    void aCallToTheHomeGatewayNamesTheRegionThatForwardedIt() {
        var headers = CallerHeaders.toHomeGateway(fromClient(), CALLER, "service-token", "req-1", "eu-central");
        assertThat(headers.getAll(MeridianHeaders.FORWARDED_BY)).containsExactly("eu-central");
        assertThat(headers.get("Authorization")).isEqualTo("Bearer service-token");
    }
}
