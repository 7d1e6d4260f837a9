package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.platform.PlatformOptions;
import dev.meridian.stack.KafkaBroker;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * Closing and erasing a tenant across regions, proven by searching: a tenant homed in eu-central uses content through
 * us-east's gateway (as in {@link ResidencyIT}), its owner closes it through us-east, its key stops working at both
 * gateways, and once the grace period (shortened for the system under test) has passed no region's database holds a
 * row of the tenant, no blob store a byte of its content, the control plane neither its name nor its people, and no
 * topic keeps its content beyond the topic's time-limited retention (compacted or unlimited topics hold none).
 */
class TenantErasureIT {

    /** The longest a topic may keep an erased tenant's content: Kafka's deletion by age, bounded like the grace. */
    private static final Duration MAX_TOPIC_RETENTION = Duration.ofDays(30);

    @Test
    void anErasedTenantLeavesNothingInAnyRegionsDatabaseBlobStoreOrRetainedTopic() throws Exception {
        String marker = "erasure-" + UUID.randomUUID().toString().substring(0, 8);
        var used = ResidencyIT.useContent("eu-central", SystemUnderTest.us(), marker);
        assertThat(ResidencyIT.wherever(marker, "eu-central")).as("the home region holds the content: the search"
                + " works").isNotEmpty();
        assertThat(tenantRows("eu-central", used.tenant())).as("the home region holds the tenant's rows")
                .isNotEmpty();

        given().baseUri(SystemUnderTest.us()).auth().oauth2(used.owner().accessToken()).contentType(ContentType.JSON)
                .body(Map.of("confirm", used.name())).post("/api/v1/tenants/{t}/closure", used.tenant()).then()
                .statusCode(200).body("status", equalTo("closing"));
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            await("the closed tenant's key refused at " + gateway).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200)).until(() -> ResidencyIT.as(used.key(), gateway)
                            .get("/v1/models").then().extract().statusCode() == 401);
        }

        await("the tenant erased in every region").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    for (String region : SystemUnderTest.REGIONS) {
                        assertThat(tenantRows(region, used.tenant())).as("rows of the tenant in %s", region)
                                .isEmpty();
                        assertThat(ResidencyIT.wherever(marker, region)).as("content in %s", region).isEmpty();
                        assertThat(SystemUnderTest.platform().stateDir().resolve("blobs").resolve(region)
                                .resolve("tenants")
                                .resolve(used.tenant())).as("the tenant's blob folder in %s", region)
                                .satisfies(dir -> assertThat(Files.exists(dir)).isFalse());
                    }
                });

        try (Connection c = SystemUnderTest.platform().postgres().admin("meridian_control")) {
            for (String personal : List.of(used.name(), used.owner().email(), marker)) {
                assertThat(rowsContaining(c, personal)).as("'%s' in the control plane", personal).isEmpty();
            }
        }
        given().baseUri(SystemUnderTest.eu()).auth().oauth2(used.owner().accessToken())
                .get("/api/v1/tenants/{t}", used.tenant()).then().statusCode(404);

        for (String topic : ResidencyIT.inTopics(marker, t -> true).stream()
                .map(at -> at.substring(0, at.lastIndexOf('-'))).distinct().toList()) {
            var config = topicConfig(topic);
            assertThat(config.get("cleanup.policy")).as("%s keeps the erased tenant's content; it must not be"
                    + " compacted", topic).isEqualTo("delete");
            long retention = Long.parseLong(config.get("retention.ms"));
            assertThat(retention).as("%s keeps the erased tenant's content for retention.ms", topic)
                    .isBetween(1L, MAX_TOPIC_RETENTION.toMillis());
        }
    }

    /** Every table of the region's database with a {@code tenant_id} column, where that tenant still has rows. */
    private static List<String> tenantRows(String region, String tenant) throws SQLException {
        var found = new ArrayList<String>();
        try (Connection c = SystemUnderTest.platform().postgres().admin(PlatformOptions.regionDatabase(region));
                var tables = c.createStatement().executeQuery("select table_schema, table_name from"
                        + " information_schema.columns where column_name = 'tenant_id' and table_schema not in"
                        + " ('pg_catalog', 'information_schema')")) {
            var names = new ArrayList<String>();
            while (tables.next()) {
                names.add("\"" + tables.getString(1) + "\".\"" + tables.getString(2) + "\"");
            }
            for (String table : names) {
                try (var s = c.prepareStatement("select count(*) from " + table + " where tenant_id::text = ?")) {
                    s.setString(1, tenant);
                    try (var r = s.executeQuery()) {
                        r.next();
                        if (r.getLong(1) > 0) {
                            found.add(region + " " + table + ": " + r.getLong(1));
                        }
                    }
                }
            }
        }
        return found;
    }

    /** The tables with a row whose text contains {@code text}, ignoring case. */
    private static List<String> rowsContaining(Connection c, String text) throws SQLException {
        var found = new ArrayList<String>();
        var names = new ArrayList<String>();
        try (var tables = c.createStatement().executeQuery("select table_schema, table_name from"
                + " information_schema.tables where table_type = 'BASE TABLE' and table_schema not in"
                + " ('pg_catalog', 'information_schema')")) {
            while (tables.next()) {
                names.add("\"" + tables.getString(1) + "\".\"" + tables.getString(2) + "\"");
            }
        }
        for (String table : names) {
            try (var s = c.prepareStatement("select count(*) from " + table + " t where t::text ilike ?")) {
                s.setString(1, "%" + text + "%");
                try (var r = s.executeQuery()) {
                    r.next();
                    if (r.getLong(1) > 0) {
                        found.add(table);
                    }
                }
            }
        }
        return found;
    }

    private static Map<String, String> topicConfig(String topic) throws Exception {
        var p = SystemUnderTest.platform();
        Map<String, Object> admin = Map.of("bootstrap.servers", p.kafkaBootstrap(), "security.protocol",
                "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + KafkaBroker.ADMIN
                        + "\" password=\"" + p.secrets().kafkaPassword(KafkaBroker.ADMIN) + "\";");
        try (Admin a = Admin.create(admin)) {
            var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            var config = a.describeConfigs(List.of(resource)).all().get().get(resource);
            var values = new java.util.HashMap<String, String>();
            config.entries().forEach(e -> values.put(e.name(), e.value()));
            return values;
        }
    }
}
