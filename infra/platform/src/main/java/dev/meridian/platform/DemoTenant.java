package dev.meridian.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.stack.OidcBrowser;
import dev.meridian.stack.Secrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The demo tenant ./platform up creates once: "Demo", homed in eu-central, owned by the demo user, with an API key.
 * Its key is kept in {@code .platform/dev.env}; a restart reuses it while it still works.
 */
final class DemoTenant {

    static final String DEMO_USER = "demo@meridian.local";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    record Result(String tenantId, String apiKey) {
    }

    /** The demo partner and its one credential (client credentials at Keycloak). */
    record Partner(String id, String clientId, String clientSecret) {
    }

    private final RunningPlatform platform;
    private final Path stateDir;
    private final Consumer<String> progress;

    DemoTenant(RunningPlatform platform, Path stateDir, Consumer<String> progress) {
        this.platform = platform;
        this.stateDir = stateDir;
        this.progress = progress;
    }

    Result ensure() {
        Map<String, String> env = readEnv(stateDir);
        String eu = platform.gatewayUrl(PlatformOptions.EU_CENTRAL);
        String key = env.get("MERIDIAN_DEMO_API_KEY");
        String tenantId = env.get("MERIDIAN_DEMO_TENANT_ID");
        if (key != null && tenantId != null && send(get(eu + "/v1/models").header("Authorization", "Bearer " + key))
                .statusCode() == 200) {
            progress.accept("Demo tenant and key from .platform/dev.env still work");
        } else {
            String token = OidcBrowser.login(platform.keycloakUrl(), DEMO_USER,
                    platform.secrets().get(Secrets.DEMO_PASSWORD)).accessToken();
            tenantId = findOrCreateTenant(token);
            var created = send(post(platform.tenancyUrl() + "/api/v1/tenants/" + tenantId + "/api-keys",
                    "{\"name\":\"demo\",\"scopes\":[\"inference\",\"models\",\"fine-tune\",\"billing:read\"]}", token));
            key = field(created, 201, "key");
            progress.accept("Demo tenant " + tenantId + " has a new API key");
        }
        var result = new Result(tenantId, key);
        platform.demo(result.tenantId(), result.apiKey());
        writeEnv(result, ensurePartner(env));
        return result;
    }

    /**
     * A demo partner (a reseller in eu-central and us-east) with one credential, kept while its credential still gets
     * tokens; else the operator creates them again.
     */
    private Partner ensurePartner(Map<String, String> env) {
        String id = env.get("MERIDIAN_DEMO_PARTNER_ID");
        String clientId = env.get("MERIDIAN_DEMO_PARTNER_CLIENT_ID");
        String secret = env.get("MERIDIAN_DEMO_PARTNER_CLIENT_SECRET");
        if (id != null && clientId != null && secret != null) {
            try {
                OidcBrowser.clientCredentials(platform.keycloakUrl(), clientId, secret);
                progress.accept("Demo partner and credential from .platform/dev.env still work");
                return new Partner(id, clientId, secret);
            } catch (IllegalStateException e) {
                // Keycloak no longer knows the credential (a fresh state): make new ones below
            }
        }
        String operator = OidcBrowser.login(platform.keycloakUrl(), "operator@meridian.local",
                platform.secrets().get(Secrets.OPERATOR_PASSWORD)).accessToken();
        id = field(send(post(platform.tenancyUrl() + "/api/v1/partners", "{\"name\":\"Demo Partner\","
                + "\"contact_email\":\"partners@meridian.local\",\"regions\":[\"eu-central\",\"us-east\"],"
                + "\"programme\":\"reseller\",\"discount_bp\":2000}", operator)), 201, "id");
        var credential = json(send(post(platform.tenancyUrl() + "/api/v1/partners/" + id + "/credentials",
                "{\"name\":\"demo\"}", operator)), 201);
        progress.accept("Created the demo partner " + id + " with one credential");
        return new Partner(id, credential.path("client_id").asText(), credential.path("client_secret").asText());
    }

    private String findOrCreateTenant(String token) {
        var mine = send(get(platform.tenancyUrl() + "/api/v1/tenants").header("Authorization", "Bearer " + token));
        for (JsonNode t : json(mine, 200).path("data")) {
            if ("Demo".equals(t.path("name").asText())) {
                return t.path("id").asText();
            }
        }
        var created = send(post(platform.tenancyUrl() + "/api/v1/tenants",
                "{\"name\":\"Demo\",\"home_region\":\"eu-central\"}", token));
        progress.accept("Created the demo tenant in eu-central");
        return field(created, 201, "id");
    }

    private void writeEnv(Result r, Partner partner) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MERIDIAN_GATEWAY_URL", platform.gatewayUrl(PlatformOptions.EU_CENTRAL));
        // every running region's gateway, e.g. MERIDIAN_GATEWAY_URL_CN_NORTH
        platform.gatewayUrls().forEach((region, url) -> env.put(gatewayVariable(region), url));
        env.put("MERIDIAN_TENANCY_URL", platform.tenancyUrl());
        env.put("MERIDIAN_CONSOLE_URL", platform.consoleUrl());
        env.put("MERIDIAN_KEYCLOAK_URL", platform.keycloakUrl());
        env.put("MERIDIAN_KAFKA_BOOTSTRAP", platform.kafkaBootstrap());
        env.put("MERIDIAN_DEMO_TENANT_ID", r.tenantId());
        env.put("MERIDIAN_DEMO_API_KEY", r.apiKey());
        env.put("MERIDIAN_DEMO_USER", DEMO_USER);
        env.put("MERIDIAN_DEMO_PASSWORD", platform.secrets().get(Secrets.DEMO_PASSWORD));
        env.put("MERIDIAN_DEMO_PARTNER_ID", partner.id());
        env.put("MERIDIAN_DEMO_PARTNER_CLIENT_ID", partner.clientId());
        env.put("MERIDIAN_DEMO_PARTNER_CLIENT_SECRET", partner.clientSecret());
        var text = new StringBuilder("# Written by ./platform up. Source it: . .platform/dev.env\n");
        env.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        try {
            Files.createDirectories(stateDir);
            Files.writeString(stateDir.resolve("dev.env"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> readEnv(Path stateDir) {
        Map<String, String> env = new LinkedHashMap<>();
        Path file = stateDir.resolve("dev.env");
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    int eq = line.indexOf('=');
                    if (eq > 0 && !line.startsWith("#")) {
                        env.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return env;
    }

    /** The dev.env variable naming a region's gateway: {@code MERIDIAN_GATEWAY_URL_CN_NORTH}. */
    static String gatewayVariable(String region) {
        return "MERIDIAN_GATEWAY_URL_" + region.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    static String summary(RunningPlatform p) {
        List<String> lines = new ArrayList<>(List.of(""));
        p.gatewayUrls().forEach((region, url) -> lines.add(String.format("  Gateway %-12s %s%s", region, url,
                PlatformOptions.isSovereign(region) ? "   (sovereign: serves only tenants homed in " + region + ")"
                        : "")));
        return String.join("\n", lines) + "\n" + String.join("\n",
                "  Tenancy (control)    " + p.tenancyUrl() + "   (OpenAPI: " + p.tenancyUrl() + "/q/openapi)",
                "  Keycloak             " + p.keycloakUrl() + "   realm meridian",
                "  Demo login           " + DEMO_USER + " / " + p.secrets().get(Secrets.DEMO_PASSWORD),
                "  Demo tenant          " + p.demoTenantId(),
                "  Demo API key         " + p.demoApiKey(),
                "  Demo partner         MERIDIAN_DEMO_PARTNER_ID, _CLIENT_ID, _CLIENT_SECRET (client credentials)",
                "",
                "  Try it:  curl -s " + p.gatewayUrl(PlatformOptions.EU_CENTRAL)
                        + "/v1/models -H \"Authorization: Bearer " + p.demoApiKey() + "\"",
                "  These values are in .platform/dev.env; ./platform down stops everything.");
    }

    private static HttpRequest.Builder get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).GET();
    }

    private static HttpRequest.Builder post(String url, String body, String token) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response, int expected) {
        if (response.statusCode() != expected) {
            throw new IllegalStateException("demo bootstrap: " + response.request().method() + " "
                    + response.request().uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String field(HttpResponse<String> response, int expected, String name) {
        return json(response, expected).path(name).asText();
    }
}
