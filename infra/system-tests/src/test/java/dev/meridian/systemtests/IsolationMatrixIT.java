package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.gateway.routing.Scopes;
import dev.meridian.stack.KafkaBroker;
import dev.meridian.systemtests.RouteTable.Route;
import dev.meridian.testing.OnnxModels;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Isolation, route by route: two tenants homed in different regions, each with a dataset file, a fine-tuning job and
 * its tuned model, an uploaded ONNX model (deployed), a pending resumable upload, a finalized invoice, budgets, a
 * pending invitation and keys of every scope. Every route a gateway answers (listed by {@link RouteTable} from the
 * gateway's own route table and the services' OpenAPI documents, so a new route fails {@link #everyRouteHasACase}
 * until it has a case here) is called at both gateways
 * <ul>
 * <li>by the other tenant (its key, its console owner) with this tenant's ids: 404, never 2xx, never this tenant's
 * data;</li>
 * <li>by this tenant's keys that lack the scope the route needs: 403;</li>
 * <li>by this tenant's console members whose role may not use the route: 403.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IsolationMatrixIT {

    private static final List<String> ALL_SCOPES = List.of("inference", "models", "fine-tune", "billing:read");
    private static final Set<String> EVERY_ROLE = Set.of("owner", "admin", "developer", "billing", "viewer");
    private static final Set<String> OWNERS = Set.of("owner");
    private static final Set<String> ADMINS = Set.of("owner", "admin");
    private static final Set<String> KEY_MANAGERS = Set.of("owner", "admin", "developer");
    private static final Set<String> BILLING_READERS = Set.of("owner", "admin", "billing");
    /** Operator-only routes (realm role platform-admin): no tenant role may use them. */
    private static final Set<String> NO_ROLE = Set.of();
    private static final List<String> MEMBER_ROLES = List.of("viewer", "developer", "billing");

    /** What the other tenant gets when it calls the route with this tenant's ids. */
    enum Foreign {
        /** 404: the resource does not exist for the caller. */
        NOT_FOUND,
        /** 403: the route is an operator's, whoever the tenant. */
        FORBIDDEN,
        /** 400 or 404: the call names this tenant's resource in its body, which is invalid or unknown to the caller. */
        REFUSED,
        /** The route names no tenant resource: it answers about the caller only, and never with this tenant's data. */
        OWN
    }

    /** A concrete call: method, path, query and body (JSON, or one multipart field). */
    record Call(String method, String path, Map<String, String> query, Object json, String part, byte[] bytes) {
        static Call of(String method, String path) {
            return new Call(method, path, Map.of(), null, null, null);
        }

        Call query(String name, String value) {
            var q = new LinkedHashMap<>(query);
            q.put(name, value);
            return new Call(method, path, q, json, part, bytes);
        }

        Call json(Object body) {
            return new Call(method, path, query, body, null, null);
        }

        Call multipart(String field, byte[] content) {
            return new Call(method, path, query, null, field, content);
        }

        /** Everything the caller sent, to tell an echo of its own input from a leak. */
        String sent() {
            return path + " " + query + " " + json;
        }

        @Override
        public String toString() {
            return method + " " + path + (query.isEmpty() ? "" : " " + query);
        }
    }

    /**
     * One route's case. {@code call(target, caller)} makes the call on {@code target}'s resources (for the tenant
     * the caller names where the route takes one, {@code ?tenant_id=}); {@code roles} are the console roles that may
     * use it, {@code null} where no tenant role applies ({@code /v1}, {@code /v2}, the caller's own lists).
     */
    record Case(Route route, Foreign foreign, Set<String> roles, BiFunction<Tenant, Tenant, Call> call) {
        boolean isApi() {
            return route.path().startsWith("/api/");
        }

        boolean isBilling() {
            return route.path().startsWith("/api/v1/billing");
        }

        boolean isBillingAdmin() {
            return route.path().startsWith("/api/v1/billing/admin");
        }
    }

    /** A tenant and everything it owns, made through the public API as its people would. */
    static final class Tenant {
        final String region;
        final String gateway;
        ConsoleUser owner;
        String id;
        String name;
        String key;
        String keyId;
        final Map<String, String> keyWithOnly = new LinkedHashMap<>();
        String fileId;
        String jobId;
        String model;
        String version;
        String uploadId;
        String invoiceId;
        String invoiceNumber;
        String creditNoteId;
        String invitationId;
        String invitee;
        String exportId;
        /** The query of the export's signed download link: expires and signature. */
        final Map<String, String> exportLink = new LinkedHashMap<>();
        final Map<String, ConsoleUser> members = new LinkedHashMap<>();

        Tenant(String region) {
            this.region = region;
            this.gateway = SystemUnderTest.platform().gatewayUrl(region);
        }

        /** The same tenant with another of its models in the model's place (its tuned model, say). */
        Tenant withModel(String otherModel, String otherVersion) {
            Tenant t = new Tenant(region);
            t.owner = owner;
            t.id = id;
            t.name = name;
            t.key = key;
            t.keyId = keyId;
            t.keyWithOnly.putAll(keyWithOnly);
            t.fileId = fileId;
            t.jobId = jobId;
            t.model = otherModel;
            t.version = otherVersion;
            t.uploadId = uploadId;
            t.invoiceId = invoiceId;
            t.invoiceNumber = invoiceNumber;
            t.creditNoteId = creditNoteId;
            t.invitationId = invitationId;
            t.invitee = invitee;
            t.exportId = exportId;
            t.exportLink.putAll(exportLink);
            t.members.putAll(members);
            return t;
        }

        /** What no other tenant may ever read in an answer. */
        List<String> secrets() {
            var s = new ArrayList<>(List.of(id, name, owner.email(), keyId, fileId, jobId, model, uploadId,
                    invoiceId, invoiceNumber, creditNoteId, invitationId, invitee, exportId));
            members.values().forEach(m -> s.add(m.email()));
            return s;
        }
    }

    /** A partner no tenant's people act for (a made-up id: to them every partner is 404, existing or not). */
    private static final String SOME_PARTNER = "7c3c1b5e-0000-4000-8000-00000000fa11";

    private static Tenant eu;
    private static Tenant us;
    /** Calls checked so far, reported per test: a matrix that checked nothing would pass too. */
    private static int checked;

    @BeforeAll
    static void twoTenantsInTwoRegionsWithOneOfEverything() {
        eu = tenant("eu-central");
        us = tenant("us-east");
        for (String role : MEMBER_ROLES) {
            eu.members.put(role, member(eu, role));
        }
    }

    @Test
    @Order(1)
    void everyRouteHasACase() {
        var listing = RouteTable.read(SystemUnderTest.platform(), "eu-central");
        assertThat(RouteTable.prefixesWithoutRoutes(listing.served()))
                .as("paths of the gateway's route table (Scopes) that no service declares an operation under")
                .isEmpty();
        var cases = new TreeSet<Route>(CASES.keySet());
        assertThat(listing.served()).as("routes a gateway answers; each needs a case in IsolationMatrixIT.CASES")
                .isSubsetOf(cases);
        assertThat(cases).as("cases in IsolationMatrixIT.CASES for routes that no longer exist")
                .isSubsetOf(listing.served());
    }

    @Test
    @Order(2)
    void theOwnerReachesEveryResourceTheMatrixNames() {
        // the matrix proves nothing if its ids name nothing: each GET on a tenant resource answers its owner
        for (Case c : CASES.values()) {
            if (!c.route().method().equals("GET") || c.foreign() != Foreign.NOT_FOUND) {
                continue;
            }
            for (Tenant t : List.of(eu, us)) {
                Call call = c.call().apply(t, t);
                // a deployed model is loaded by the region's inference service within seconds, not at once
                await(call + " by its owner at " + t.region).atMost(Duration.ofSeconds(30))
                        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                            Response r = send(t.gateway, c.isApi() ? t.owner.accessToken() : t.key, call);
                            assertThat(r.statusCode()).as("%s by its owner at %s: %s", call, t.region, r.asString())
                                    .isBetween(200, 299);
                        });
            }
        }
    }

    @Test
    @Order(3)
    void anotherTenantGetsNotFoundOnEveryRouteAtBothGateways() {
        var failures = new ArrayList<String>();
        for (var pair : List.of(List.of(eu, us), List.of(us, eu))) {
            Tenant target = pair.get(0);
            Tenant caller = pair.get(1);
            for (Case c : CASES.values()) {
                crossTenant(c, target, caller, failures);
            }
        }
        report("answers to another tenant", failures);
        assertThat(failures).as("answers to another tenant").isEmpty();
        theTenantsAreIntact();
    }

    @Test
    @Order(4)
    void keysLackingTheRoutesScopeAreRefused() {
        var failures = new ArrayList<String>();
        for (Case c : CASES.values()) {
            for (Tenant t : List.of(eu, us)) {
                Call call = c.call().apply(t, t);
                for (var key : t.keyWithOnly.entrySet()) {
                    boolean allowed = c.isApi()
                            ? c.isBilling() && key.getKey().equals("billing:read") || c.foreign() == Foreign.OWN
                            : Scopes.allows(List.of(key.getKey()), call.method(), call.path());
                    if (allowed) {
                        continue;
                    }
                    // tenancy's routes take console tokens only: an API key is no credential there (401)
                    int expected = c.isApi() && !c.isBilling() ? 401 : 403;
                    for (String gateway : gateways()) {
                        expect(failures, gateway, "key with only " + key.getKey(), call,
                                send(gateway, key.getValue(), call), Set.of(expected), List.of());
                    }
                }
            }
        }
        report("answers to keys without the route's scope", failures);
        assertThat(failures).as("answers to keys without the route's scope").isEmpty();
        theTenantsAreIntact();
    }

    @Test
    @Order(5)
    void consoleRolesThatMayNotUseARouteAreRefused() {
        var failures = new ArrayList<String>();
        for (Case c : CASES.values()) {
            if (!c.isApi() || c.roles() == null || c.foreign() == Foreign.OWN) {
                continue;
            }
            Call call = c.call().apply(eu, eu);
            for (var member : eu.members.entrySet()) {
                if (c.roles().contains(member.getKey())) {
                    continue;
                }
                for (String gateway : gateways()) {
                    expect(failures, gateway, member.getKey() + " of the tenant", call,
                            send(gateway, member.getValue().accessToken(), call), Set.of(403), List.of());
                }
            }
        }
        report("answers to members whose role may not use the route", failures);
        assertThat(failures).as("answers to members whose role may not use the route").isEmpty();
        theTenantsAreIntact();
    }

    @Test
    @Order(6)
    void pathsOutsideTheTableAndInternalEndpointsAreNeverServed() {
        var failures = new ArrayList<String>();
        var listing = RouteTable.read(SystemUnderTest.platform(), "eu-central");
        var probes = new ArrayList<Call>();
        listing.notServed().stream().filter(r -> !r.path().startsWith("/q/"))
                .forEach(r -> probes.add(Call.of(r.method(), r.example())));
        for (String path : List.of("/v1/served-requests", "/v1/modelsx", "/v1/api-keys/x", "/v2x/models",
                "/internal/v1/served-requests", "/internal/forward/v1/models", "/internal/forward/v1/files/x")) {
            probes.add(Call.of("GET", path));
        }
        for (Call probe : probes) {
            for (String gateway : gateways()) {
                for (String credential : List.of(us.key, eu.owner.accessToken())) {
                    Response r = send(gateway, credential, probe);
                    if (r.statusCode() / 100 == 2 || r.statusCode() >= 500) {
                        failures.add(gateway + " " + probe + " -> " + r.statusCode() + " " + r.asString());
                    }
                }
            }
        }
        assertThat(failures).as("paths no gateway may serve").isEmpty();
    }

    @Test
    @Order(7)
    void anotherTenantsTunedModelIsNotFoundEither() {
        var failures = new ArrayList<String>();
        for (var pair : List.of(List.of(eu, us), List.of(us, eu))) {
            Tenant target = pair.get(0);
            String tuned = tunedModel(target);
            Tenant withTuned = target.withModel(tuned, "1");
            for (Case c : CASES.values()) {
                if (c.route().path().contains("/models") || c.route().path().endsWith("/embeddings")
                        || c.route().path().endsWith("/classifications")
                        || c.route().path().endsWith("/completions")) {
                    crossTenant(c, withTuned, pair.get(1), failures);
                }
            }
        }
        report("answers to another tenant on a tuned model", failures);
        assertThat(failures).as("answers to another tenant on a tuned model").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static void crossTenant(Case c, Tenant target, Tenant caller, List<String> failures) {
        Set<Integer> statuses = switch (c.foreign()) {
            case NOT_FOUND -> Set.of(404);
            case FORBIDDEN -> Set.of(403);
            case REFUSED -> Set.of(400, 404);
            case OWN -> null;
        };
        Call call = c.call().apply(target, caller);
        for (String gateway : gateways()) {
            if (c.isApi()) {
                expect(failures, gateway, "owner of the other tenant", call,
                        send(gateway, caller.owner.accessToken(), call), statuses, target.secrets());
            }
            expect(failures, gateway, "key of the other tenant", call, send(gateway, caller.key, call),
                    c.isApi() ? keyStatuses(c, statuses) : statuses, target.secrets());
        }
    }

    /** What another tenant's key gets on {@code /api}: tenancy takes no keys; billing lets keys read, and only that. */
    private static Set<Integer> keyStatuses(Case c, Set<Integer> forConsole) {
        if (c.route().path().equals("/api/v1/regions")) {
            return null;
        }
        if (!c.isBilling()) {
            return Set.of(401);
        }
        if (!c.route().method().equals("GET") || c.isBillingAdmin()) {
            return Set.of(403);
        }
        return forConsole;
    }

    /** Records a failure unless the status is one of {@code statuses} (any but 2xx/5xx when null) and nothing leaks. */
    private static void expect(List<String> failures, String gateway, String who, Call call, Response r,
            Set<Integer> statuses, List<String> secrets) {
        checked++;
        int status = r.statusCode();
        String body = r.asString();
        boolean statusOk = statuses == null ? status < 500 : statuses.contains(status);
        if (statuses != null && status / 100 == 2) {
            statusOk = false;
        }
        List<String> leaked = secrets.stream().filter(s -> s != null && body.contains(s)
                && !call.sent().contains(s)).toList();
        if (!statusOk || !leaked.isEmpty()) {
            failures.add(who + " at " + gateway + ": " + call + " -> " + status + (statuses == null ? ""
                    : " (expected " + statuses + ")") + (leaked.isEmpty() ? "" : " LEAKED " + leaked) + " "
                    + (body.length() > 300 ? body.substring(0, 300) + "..." : body));
        }
    }

    private static void report(String what, List<String> failures) {
        System.out.printf("[isolation] %s: %d calls checked, %d wrong%n", what, checked, failures.size());
        assertThat(checked).as("calls checked").isPositive();
        checked = 0;
    }

    /** Each tenant still has what it had: nothing another caller tried changed it. */
    private static void theTenantsAreIntact() {
        for (Tenant t : List.of(eu, us)) {
            var home = given().baseUri(t.gateway).header("Authorization", "Bearer " + t.key);
            home.get("/v1/files/" + t.fileId).then().statusCode(200);
            given().baseUri(t.gateway).header("Authorization", "Bearer " + t.key)
                    .get("/v1/models/" + t.model + "/versions/" + t.version).then().statusCode(200);
            given().baseUri(t.gateway).header("Authorization", "Bearer " + t.key).get("/v1/uploads/" + t.uploadId)
                    .then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("pending"));
            given().baseUri(t.gateway).auth().oauth2(t.owner.accessToken())
                    .get("/api/v1/tenants/" + t.id + "/api-keys/" + t.keyId).then().statusCode(200)
                    .body("revoked_at", org.hamcrest.Matchers.nullValue());
            given().baseUri(t.gateway).auth().oauth2(t.owner.accessToken())
                    .get("/api/v1/tenants/" + t.id).then().statusCode(200)
                    .body("name", org.hamcrest.Matchers.equalTo(t.name))
                    .body("status", org.hamcrest.Matchers.equalTo("active"));
        }
    }

    private static List<String> gateways() {
        return List.of(SystemUnderTest.eu(), SystemUnderTest.us());
    }

    /** Sends the call; a 429 (the matrix calls fast) is waited out and sent again. */
    private static Response send(String gateway, String bearer, Call c) {
        var last = new AtomicReference<Response>();
        try {
            await(c + " at " + gateway).atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(250)).until(() -> {
                        var spec = given().baseUri(gateway).header("Authorization", "Bearer " + bearer);
                        c.query().forEach(spec::queryParam);
                        if (c.part() != null) {
                            spec.multiPart(c.part(), "part.bin", c.bytes());
                        } else if (c.json() != null) {
                            spec.contentType(ContentType.JSON).body(c.json());
                        }
                        last.set(spec.request(c.method(), c.path()));
                        return last.get().statusCode() != 429;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(c + " at " + gateway + " was still refused after 30 s: " + (last.get() == null
                    ? "no answer" : last.get().statusCode() + " " + last.get().asString()), e);
        }
        return last.get();
    }

    // --- fixtures --------------------------------------------------------------------------------------------------

    private static Tenant tenant(String region) {
        Tenant t = new Tenant(region);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        t.owner = ConsoleUser.signUp();
        t.name = "Isolation " + region + " " + tag;
        t.id = t.owner.createTenant(t.name, region, "payg");
        var key = t.owner.createKey(t.id, "all", ALL_SCOPES);
        t.key = key.path("key");
        t.keyId = key.path("id");
        for (String scope : ALL_SCOPES) {
            t.keyWithOnly.put(scope, t.owner.createKeySecret(t.id, List.of(scope)));
        }
        var home = given().baseUri(t.gateway).header("Authorization", "Bearer " + t.key);
        t.fileId = home.multiPart("purpose", "fine-tune")
                .multiPart("file", "topics-" + tag + ".jsonl", dataset().getBytes(), "application/jsonl")
                .post("/v1/files").then().statusCode(200).extract().path("id");
        t.jobId = given().baseUri(t.gateway).header("Authorization", "Bearer " + t.key).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "training_file", t.fileId, "suffix", "iso", "seed", 7,
                        "method", Map.of("type", "supervised", "supervised", Map.of("hyperparameters",
                                Map.of("n_epochs", 1, "batch_size", 4)))))
                .post("/v1/fine_tuning/jobs").then().statusCode(200).extract().path("id");
        t.model = "iso-" + tag;
        int version = given().baseUri(t.gateway).header("Authorization", "Bearer " + t.key)
                .multiPart("file", "model.onnx", OnnxModels.addConstant(1f, 2f), "application/octet-stream")
                .multiPart("name", t.model).post("/v1/models").then().statusCode(201).extract().path("version");
        t.version = String.valueOf(version);
        given().baseUri(t.gateway).header("Authorization", "Bearer " + t.key)
                .post("/v1/models/" + t.model + "/versions/" + t.version + "/deploy").then().statusCode(200);
        t.uploadId = given().baseUri(t.gateway).header("Authorization", "Bearer " + t.key)
                .contentType(ContentType.JSON).body(Map.of("filename", "big.onnx", "bytes", 1024, "mime_type",
                        "application/octet-stream", "purpose", "model"))
                .post("/v1/uploads").then().statusCode(201).extract().path("id");

        Operator.setPlan(t.id, "payg", region); // opens the billing account
        String lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1).toString();
        var invoice = given().baseUri(t.gateway).auth().oauth2(Operator.token()).contentType(ContentType.JSON)
                .body(Map.of("period", lastMonth))
                .post("/api/v1/billing/admin/tenants/{t}/invoices/finalize", t.id).then().statusCode(200)
                .extract();
        t.invoiceId = invoice.path("id");
        t.invoiceNumber = invoice.path("number");
        // A credit note needs an invoice with a total. Billing's period close may have finalized last month's (empty)
        // invoice already, so usage goes two months back, a period only an operator finalizes.
        YearMonth earlier = YearMonth.now(ZoneOffset.UTC).minusMonths(2);
        String from = earlier.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        String to = earlier.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        publishUsage(t.id, region, earlier.atDay(14).atStartOfDay(ZoneOffset.UTC).toInstant().toString());
        await("usage two months ago of " + t.id + " billed").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).until(() -> !t.owner.api().queryParam("tenant_id", t.id)
                        .queryParam("from", from).queryParam("to", to).get("/api/v1/billing/usage").then()
                        .statusCode(200).extract().<List<?>>path("data").isEmpty());
        String charged = given().baseUri(t.gateway).auth().oauth2(Operator.token()).contentType(ContentType.JSON)
                .body(Map.of("period", earlier.toString()))
                .post("/api/v1/billing/admin/tenants/{t}/invoices/finalize", t.id).then().statusCode(200)
                .extract().path("id");
        t.creditNoteId = given().baseUri(t.gateway).auth().oauth2(Operator.token()).contentType(ContentType.JSON)
                .body(Map.of("invoice_id", charged, "amount_minor", 1, "reason", "matrix"))
                .post("/api/v1/billing/admin/tenants/{t}/credit-notes", t.id).then().statusCode(201).extract()
                .path("id");
        t.owner.api().queryParam("tenant_id", t.id).body(Map.of("legal_name", "Matrix " + t.region,
                "address_lines", List.of("1 Matrix Street"), "postal_code", "10115", "city", "Berlin", "country", "DE",
                "language", "en")).put("/api/v1/billing/details").then().statusCode(200);
        t.owner.api().queryParam("tenant_id", t.id)
                .body(Map.of("soft_budget_minor", 500_000, "hard_budget_minor", 50_000_000))
                .put("/api/v1/billing/budgets").then().statusCode(200);
        t.invitee = "invitee-" + tag + "@example.test";
        t.invitationId = t.owner.api().body(Map.of("email", t.invitee, "role", "viewer"))
                .post("/api/v1/tenants/{t}/members", t.id).then().statusCode(201).extract().path("id");
        // an export, built in the tenant's home region, with its signed download link
        t.exportId = t.owner.api().post("/api/v1/tenants/{t}/exports", t.id).then().statusCode(202).extract()
                .path("id");
        String url = await("export of " + t.name).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> t.owner.api().get("/api/v1/tenants/{t}/exports/{e}", t.id, t.exportId).then()
                        .statusCode(200).extract().<String>path("download_url"), u -> u != null);
        for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
            t.exportLink.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        return t;
    }

    /** A console user who joined the tenant with {@code role} by accepting the owner's invitation. */
    private static ConsoleUser member(Tenant t, String role) {
        var user = ConsoleUser.signUp();
        String invitation = t.owner.api().body(Map.of("email", user.email(), "role", role))
                .post("/api/v1/tenants/{t}/members", t.id).then().statusCode(201).extract().path("id");
        user.api().body(Map.of()).post("/api/v1/invitations/{m}/accept", invitation).then().statusCode(200);
        return user;
    }

    /** Twelve short texts in two topics: the least a job needs, so that one epoch is done in seconds on a CPU. */
    private static String dataset() {
        var lines = new ArrayList<String>();
        for (String s : List.of("the striker scored", "the team won the match", "the sprinter broke the record",
                "the referee showed a red card", "the cyclist won the stage", "the keeper saved the penalty")) {
            lines.add("{\"text\":\"" + s + "\",\"label\":\"sports\"}");
        }
        for (String s : List.of("the chef baked bread", "grandma simmered the soup", "the cook grilled salmon",
                "the baker kneaded dough", "we roasted vegetables", "she whisked the eggs")) {
            lines.add("{\"text\":\"" + s + "\",\"label\":\"cooking\"}");
        }
        return String.join("\n", lines) + "\n";
    }

    /** The tenant's tuned model, once its job has succeeded (one epoch on twelve texts). */
    private static String tunedModel(Tenant t) {
        var job = new AtomicReference<Response>();
        await("job " + t.jobId + " of " + t.region + " succeeded").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1)).until(() -> {
                    job.set(given().baseUri(t.gateway).header("Authorization", "Bearer " + t.key)
                            .get("/v1/fine_tuning/jobs/" + t.jobId));
                    String status = job.get().path("status");
                    assertThat(status).as(job.get().asString()).isNotIn("failed", "cancelled");
                    return "succeeded".equals(status);
                });
        return job.get().path("fine_tuned_model");
    }

    // --- the matrix ------------------------------------------------------------------------------------------------

    private static final Map<Route, Case> CASES = new LinkedHashMap<>();

    private static void add(String method, String template, Foreign foreign, Set<String> roles,
            BiFunction<Tenant, Tenant, Call> call) {
        Route route = Route.of(method, template);
        if (CASES.put(route, new Case(route, foreign, roles, call)) != null) {
            throw new IllegalStateException("two cases for " + route);
        }
    }

    private static String models(Tenant t) {
        return "/v1/models/" + t.model;
    }

    private static String version(Tenant t) {
        return models(t) + "/versions/" + t.version;
    }

    private static String oip(Tenant t) {
        return "/v2/models/" + t.model;
    }

    private static Map<String, Object> oipInput() {
        return Map.of("inputs", List.of(Map.of("name", "x", "datatype", "FP32", "shape", List.of(1, 2), "data",
                List.of(1.0, 2.0))));
    }

    /** A usage event for {@code tenant} at {@code at}, on usage.events as a gateway publishes it. */
    private static void publishUsage(String tenant, String region, String at) {
        var p = SystemUnderTest.platform();
        Map<String, Object> admin = Map.of("bootstrap.servers", p.kafkaBootstrap(), "security.protocol",
                "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + KafkaBroker.ADMIN
                        + "\" password=\"" + p.secrets().kafkaPassword(KafkaBroker.ADMIN) + "\";",
                "acks", "all");
        String event = "{\"id\":\"" + UUID.randomUUID() + "\",\"tenant_id\":\"" + tenant + "\",\"region\":\""
                + region + "\",\"meter\":\"accelerator_seconds\",\"quantity\":2000,\"occurred_at\":\"" + at
                + "\",\"source\":\"isolation-matrix\"}";
        try (var producer = new KafkaProducer<>(admin, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("usage.events", tenant, event)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish usage for " + tenant, e);
        }
    }

    private static String tenantPath(Tenant t) {
        return "/api/v1/tenants/" + t.id;
    }

    static {
        final Foreign nf = Foreign.NOT_FOUND;
        final Foreign own = Foreign.OWN;
        final Foreign refused = Foreign.REFUSED;
        byte[] junk = "not a model".getBytes();

        // model registry (models service)
        add("GET", "/v1/models", own, null, (t, c) -> Call.of("GET", "/v1/models"));
        add("POST", "/v1/models", own, null, (t, c) -> Call.of("POST", "/v1/models").multipart("name", t.model
                .getBytes()));
        add("GET", "/v1/models/{m}", nf, null, (t, c) -> Call.of("GET", models(t)));
        add("DELETE", "/v1/models/{m}", nf, null, (t, c) -> Call.of("DELETE", models(t)));
        add("GET", "/v1/models/{m}/versions", nf, null, (t, c) -> Call.of("GET", models(t) + "/versions"));
        add("GET", "/v1/models/{m}/versions/{v}", nf, null, (t, c) -> Call.of("GET", version(t)));
        add("DELETE", "/v1/models/{m}/versions/{v}", nf, null, (t, c) -> Call.of("DELETE", version(t)));
        add("POST", "/v1/models/{m}/versions/{v}/deploy", nf, null, (t, c) -> Call.of("POST", version(t)
                + "/deploy"));
        add("POST", "/v1/models/{m}/versions/{v}/undeploy", nf, null, (t, c) -> Call.of("POST", version(t)
                + "/undeploy"));
        // resumable uploads
        add("POST", "/v1/uploads", own, null, (t, c) -> Call.of("POST", "/v1/uploads").json(Map.of("filename",
                "x.onnx", "bytes", 10, "mime_type", "application/octet-stream", "purpose", "model")));
        add("GET", "/v1/uploads/{u}", nf, null, (t, c) -> Call.of("GET", "/v1/uploads/" + t.uploadId));
        add("POST", "/v1/uploads/{u}/parts", nf, null, (t, c) -> Call.of("POST", "/v1/uploads/" + t.uploadId
                + "/parts").multipart("data", junk));
        add("POST", "/v1/uploads/{u}/complete", nf, null, (t, c) -> Call.of("POST", "/v1/uploads/" + t.uploadId
                + "/complete").json(Map.of("part_ids", List.of(UUID.randomUUID().toString()), "name", "stolen")));
        add("POST", "/v1/uploads/{u}/cancel", nf, null, (t, c) -> Call.of("POST", "/v1/uploads/" + t.uploadId
                + "/cancel"));
        // fine-tuning files and jobs
        add("POST", "/v1/files", own, null, (t, c) -> Call.of("POST", "/v1/files").multipart("purpose",
                "fine-tune".getBytes()));
        add("GET", "/v1/files", own, null, (t, c) -> Call.of("GET", "/v1/files"));
        add("GET", "/v1/files/{f}", nf, null, (t, c) -> Call.of("GET", "/v1/files/" + t.fileId));
        add("GET", "/v1/files/{f}/content", nf, null, (t, c) -> Call.of("GET", "/v1/files/" + t.fileId
                + "/content"));
        add("DELETE", "/v1/files/{f}", nf, null, (t, c) -> Call.of("DELETE", "/v1/files/" + t.fileId));
        add("POST", "/v1/fine_tuning/jobs", Foreign.REFUSED, null, (t, c) -> Call.of("POST", "/v1/fine_tuning/jobs")
                .json(Map.of("model", "all-minilm-l6-v2", "training_file", t.fileId)));
        add("GET", "/v1/fine_tuning/jobs", own, null, (t, c) -> Call.of("GET", "/v1/fine_tuning/jobs"));
        add("GET", "/v1/fine_tuning/jobs/{j}", nf, null, (t, c) -> Call.of("GET", "/v1/fine_tuning/jobs/"
                + t.jobId));
        add("POST", "/v1/fine_tuning/jobs/{j}/cancel", nf, null, (t, c) -> Call.of("POST", "/v1/fine_tuning/jobs/"
                + t.jobId + "/cancel"));
        add("GET", "/v1/fine_tuning/jobs/{j}/events", nf, null, (t, c) -> Call.of("GET", "/v1/fine_tuning/jobs/"
                + t.jobId + "/events"));
        add("GET", "/v1/fine_tuning/jobs/{j}/checkpoints", nf, null, (t, c) -> Call.of("GET",
                "/v1/fine_tuning/jobs/" + t.jobId + "/checkpoints"));
        // inference: OpenAI-style and OIP v2
        add("POST", "/v1/embeddings", nf, null, (t, c) -> Call.of("POST", "/v1/embeddings").json(Map.of("model",
                t.model, "input", "hello")));
        add("POST", "/v1/classifications", nf, null, (t, c) -> Call.of("POST", "/v1/classifications")
                .json(Map.of("model", t.model, "input", "hello")));
        // generative: another tenant's model is not found, streamed or not (it never starts a stream)
        add("POST", "/v1/chat/completions", nf, null, (t, c) -> Call.of("POST", "/v1/chat/completions")
                .json(Map.of("model", t.model, "messages", List.of(Map.of("role", "user", "content", "hello")),
                        "max_tokens", 1, "stream", true)));
        add("POST", "/v1/completions", nf, null, (t, c) -> Call.of("POST", "/v1/completions")
                .json(Map.of("model", t.model, "prompt", "hello", "max_tokens", 1)));
        add("GET", "/v2/health/live", own, null, (t, c) -> Call.of("GET", "/v2/health/live"));
        add("GET", "/v2/health/ready", own, null, (t, c) -> Call.of("GET", "/v2/health/ready"));
        add("GET", "/v2/models/{m}", nf, null, (t, c) -> Call.of("GET", oip(t)));
        add("GET", "/v2/models/{m}/ready", nf, null, (t, c) -> Call.of("GET", oip(t) + "/ready"));
        add("GET", "/v2/models/{m}/config", nf, null, (t, c) -> Call.of("GET", oip(t) + "/config"));
        add("GET", "/v2/models/{m}/stats", nf, null, (t, c) -> Call.of("GET", oip(t) + "/stats"));
        add("POST", "/v2/models/{m}/infer", nf, null, (t, c) -> Call.of("POST", oip(t) + "/infer")
                .json(oipInput()));
        add("GET", "/v2/models/{m}/versions/{v}", nf, null, (t, c) -> Call.of("GET", oip(t) + "/versions/"
                + t.version));
        add("GET", "/v2/models/{m}/versions/{v}/ready", nf, null, (t, c) -> Call.of("GET", oip(t) + "/versions/"
                + t.version + "/ready"));
        add("POST", "/v2/models/{m}/versions/{v}/infer", nf, null, (t, c) -> Call.of("POST", oip(t)
                + "/versions/" + t.version + "/infer").json(oipInput()));

        // management API: tenancy
        add("GET", "/api/v1/regions", own, null, (t, c) -> Call.of("GET", "/api/v1/regions"));
        add("POST", "/api/v1/tenants", own, null, (t, c) -> Call.of("POST", "/api/v1/tenants").json(Map.of()));
        add("GET", "/api/v1/tenants", own, null, (t, c) -> Call.of("GET", "/api/v1/tenants"));
        add("GET", "/api/v1/tenants/{t}", nf, EVERY_ROLE, (t, c) -> Call.of("GET", tenantPath(t)));
        add("PATCH", "/api/v1/tenants/{t}", nf, ADMINS, (t, c) -> Call.of("PATCH", tenantPath(t))
                .json(Map.of("name", "Taken over")));
        add("POST", "/api/v1/tenants/{t}/suspend", nf, NO_ROLE, (t, c) -> Call.of("POST", tenantPath(t)
                + "/suspend").json(Map.of()));
        add("POST", "/api/v1/tenants/{t}/activate", nf, NO_ROLE, (t, c) -> Call.of("POST", tenantPath(t)
                + "/activate").json(Map.of()));
        // closing: owners only; the matrix's calls never name the tenant, so even an owner's would close nothing
        add("POST", "/api/v1/tenants/{t}/closure", nf, OWNERS, (t, c) -> Call.of("POST", tenantPath(t)
                + "/closure").json(Map.of("confirm", "not the tenant's name")));
        add("DELETE", "/api/v1/tenants/{t}/closure", nf, OWNERS, (t, c) -> Call.of("DELETE", tenantPath(t)
                + "/closure"));
        add("GET", "/api/v1/tenants/{t}/api-keys", nf, EVERY_ROLE, (t, c) -> Call.of("GET", tenantPath(t)
                + "/api-keys"));
        add("POST", "/api/v1/tenants/{t}/api-keys", nf, KEY_MANAGERS, (t, c) -> Call.of("POST", tenantPath(t)
                + "/api-keys").json(Map.of("name", "stolen", "scopes", List.of("inference"))));
        add("GET", "/api/v1/tenants/{t}/api-keys/{k}", nf, EVERY_ROLE, (t, c) -> Call.of("GET", tenantPath(t)
                + "/api-keys/" + t.keyId));
        add("POST", "/api/v1/tenants/{t}/api-keys/{k}/revoke", nf, KEY_MANAGERS, (t, c) -> Call.of("POST",
                tenantPath(t) + "/api-keys/" + t.keyId + "/revoke").json(Map.of()));
        add("POST", "/api/v1/tenants/{t}/api-keys/{k}/rotate", nf, KEY_MANAGERS, (t, c) -> Call.of("POST",
                tenantPath(t) + "/api-keys/" + t.keyId + "/rotate").json(Map.of()));
        add("GET", "/api/v1/tenants/{t}/members", nf, EVERY_ROLE, (t, c) -> Call.of("GET", tenantPath(t)
                + "/members"));
        add("POST", "/api/v1/tenants/{t}/members", nf, ADMINS, (t, c) -> Call.of("POST", tenantPath(t)
                + "/members").json(Map.of("email", "intruder@example.test", "role", "owner")));
        add("PATCH", "/api/v1/tenants/{t}/members/{m}", nf, ADMINS, (t, c) -> Call.of("PATCH", tenantPath(t)
                + "/members/" + t.invitationId).json(Map.of("role", "owner")));
        add("DELETE", "/api/v1/tenants/{t}/members/{m}", nf, ADMINS, (t, c) -> Call.of("DELETE", tenantPath(t)
                + "/members/" + t.invitationId));
        add("GET", "/api/v1/tenants/{t}/audit-events", nf, ADMINS, (t, c) -> Call.of("GET", tenantPath(t)
                + "/audit-events"));
        // tenant exports: owners only, served by the home region's models service
        add("POST", "/api/v1/tenants/{t}/exports", nf, OWNERS, (t, c) -> Call.of("POST", tenantPath(t)
                + "/exports"));
        add("GET", "/api/v1/tenants/{t}/exports", nf, OWNERS, (t, c) -> Call.of("GET", tenantPath(t) + "/exports"));
        add("GET", "/api/v1/tenants/{t}/exports/{e}", nf, OWNERS, (t, c) -> Call.of("GET", tenantPath(t)
                + "/exports/" + t.exportId));
        add("GET", "/api/v1/tenants/{t}/exports/{e}/archive", nf, OWNERS, (t, c) -> Call.of("GET", tenantPath(t)
                + "/exports/" + t.exportId + "/archive").query("expires", t.exportLink.get("expires"))
                .query("signature", t.exportLink.get("signature")));
        add("GET", "/api/v1/invitations", own, null, (t, c) -> Call.of("GET", "/api/v1/invitations"));
        // partners: operators' and each partner's own; a tenant's people are neither (PartnerIT covers partners)
        add("POST", "/api/v1/partners", Foreign.FORBIDDEN, NO_ROLE, (t, c) -> Call.of("POST", "/api/v1/partners")
                .json(Map.of("name", "Takeover", "contact_email", "x@example.test", "regions", List.of("us-east"),
                        "programme", "referral", "share_bp", 10000)));
        // answers each caller the partners they belong to (none for a tenant's people), never another's
        add("GET", "/api/v1/partners", own, null, (t, c) -> Call.of("GET", "/api/v1/partners"));
        String partner = "/api/v1/partners/" + SOME_PARTNER;
        add("GET", "/api/v1/partners/{p}", refused, null, (t, c) -> Call.of("GET", partner));
        add("GET", "/api/v1/partners/{p}/credentials", refused, null, (t, c) -> Call.of("GET", partner
                + "/credentials"));
        add("POST", "/api/v1/partners/{p}/credentials", refused, null, (t, c) -> Call.of("POST", partner
                + "/credentials").json(Map.of("name", "stolen")));
        add("POST", "/api/v1/partners/{p}/credentials/{c}/rotate", refused, null, (t, c) -> Call.of("POST", partner
                + "/credentials/" + SOME_PARTNER + "/rotate").json(Map.of()));
        add("POST", "/api/v1/partners/{p}/credentials/{c}/revoke", refused, null, (t, c) -> Call.of("POST", partner
                + "/credentials/" + SOME_PARTNER + "/revoke").json(Map.of()));
        add("GET", "/api/v1/partners/{p}/tenants", refused, null, (t, c) -> Call.of("GET", partner + "/tenants"));
        add("POST", "/api/v1/partners/{p}/tenants", refused, null, (t, c) -> Call.of("POST", partner + "/tenants")
                .json(Map.of("name", "Planted", "home_region", "us-east")));
        add("GET", "/api/v1/partners/{p}/members", refused, null, (t, c) -> Call.of("GET", partner + "/members"));
        add("POST", "/api/v1/partners/{p}/members", refused, null, (t, c) -> Call.of("POST", partner + "/members")
                .json(Map.of("email", c.owner.email(), "role", "partner-admin")));
        add("DELETE", "/api/v1/partners/{p}/members/{m}", refused, null, (t, c) -> Call.of("DELETE", partner
                + "/members/" + SOME_PARTNER));
        add("GET", "/api/v1/partners/{p}/audit-events", refused, null, (t, c) -> Call.of("GET", partner
                + "/audit-events"));
        // billing's partner routes: tenancy says whether the caller may act for the partner (a tenant's people: 404)
        add("GET", "/api/v1/partners/{p}/statements", refused, null, (t, c) -> Call.of("GET", partner
                + "/statements"));
        add("GET", "/api/v1/partners/{p}/statements/{s}", refused, null, (t, c) -> Call.of("GET", partner
                + "/statements/" + SOME_PARTNER));
        add("GET", "/api/v1/partners/{p}/statements/{s}.html", refused, null, (t, c) -> Call.of("GET", partner
                + "/statements/" + SOME_PARTNER + ".html"));
        add("GET", "/api/v1/partners/{p}/statements/{s}.pdf", refused, null, (t, c) -> Call.of("GET", partner
                + "/statements/" + SOME_PARTNER + ".pdf"));
        add("PUT", "/api/v1/partners/{p}/tenants/{t}/plan", refused, null, (t, c) -> Call.of("PUT", partner
                + "/tenants/" + t.id + "/plan").json(Map.of("plan", "payg")));
        // delegated access: a tenant's owners grant it, owners and admins read and revoke it
        add("GET", "/api/v1/tenants/{t}/partner-grants", nf, ADMINS, (t, c) -> Call.of("GET", tenantPath(t)
                + "/partner-grants"));
        add("POST", "/api/v1/tenants/{t}/partner-grants", nf, Set.of("owner"), (t, c) -> Call.of("POST",
                tenantPath(t) + "/partner-grants").json(Map.of("partner_id", SOME_PARTNER, "role", "admin")));
        add("DELETE", "/api/v1/tenants/{t}/partner-grants/{p}", nf, ADMINS, (t, c) -> Call.of("DELETE",
                tenantPath(t) + "/partner-grants/" + SOME_PARTNER));
        add("POST", "/api/v1/invitations/{m}/accept", nf, null, (t, c) -> Call.of("POST", "/api/v1/invitations/"
                + t.invitationId + "/accept").json(Map.of()));

        // management API: billing (the tenant is named with ?tenant_id=; an invoice id under the caller's own tenant)
        String admin = "/api/v1/billing/admin/tenants/";
        add("PUT", admin + "{t}/plan", Foreign.FORBIDDEN, NO_ROLE, (t, c) -> Call.of("PUT", admin + t.id + "/plan")
                .json(Map.of("plan", "free")));
        add("POST", admin + "{t}/credits", Foreign.FORBIDDEN, NO_ROLE, (t, c) -> Call.of("POST", admin + t.id
                + "/credits").json(Map.of("amount_minor", 100, "reason", "free money")));
        add("POST", admin + "{t}/credit-notes", Foreign.FORBIDDEN, NO_ROLE, (t, c) -> Call.of("POST", admin + t.id
                + "/credit-notes").json(Map.of("invoice_id", t.invoiceId, "amount_minor", 1, "reason", "x")));
        add("POST", admin + "{t}/invoices/finalize", Foreign.FORBIDDEN, NO_ROLE, (t, c) -> Call.of("POST", admin
                + t.id + "/invoices/finalize").json(Map.of("period", "2020-01")));
        add("POST", "/api/v1/billing/admin/partners/{p}/statements/close", Foreign.FORBIDDEN, NO_ROLE, (t, c) -> Call
                .of("POST", "/api/v1/billing/admin/partners/" + SOME_PARTNER + "/statements/close")
                .json(Map.of("period", "2026-01")));
        add("GET", "/api/v1/billing/admin/reconciliation", Foreign.FORBIDDEN, NO_ROLE, (t, c) -> Call.of("GET",
                "/api/v1/billing/admin/reconciliation"));
        add("GET", "/api/v1/billing/invoices", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/invoices").query("tenant_id", t.id));
        add("GET", "/api/v1/billing/invoices/upcoming", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/invoices/upcoming").query("tenant_id", t.id));
        add("GET", "/api/v1/billing/invoices/upcoming.html", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/invoices/upcoming.html").query("tenant_id", t.id));
        add("GET", "/api/v1/billing/invoices/upcoming.pdf", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/invoices/upcoming.pdf").query("tenant_id", t.id));
        add("GET", "/api/v1/billing/invoices/{i}", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/invoices/" + t.invoiceId).query("tenant_id", c.id));
        add("GET", "/api/v1/billing/invoices/{i}.html", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/invoices/" + t.invoiceId + ".html").query("tenant_id", c.id));
        add("GET", "/api/v1/billing/invoices/{i}.pdf", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/invoices/" + t.invoiceId + ".pdf").query("tenant_id", c.id));
        add("GET", "/api/v1/billing/credit-notes", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/credit-notes").query("tenant_id", t.id));
        add("GET", "/api/v1/billing/credit-notes/{n}", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/credit-notes/" + t.creditNoteId).query("tenant_id", c.id));
        add("GET", "/api/v1/billing/credit-notes/{n}.html", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/credit-notes/" + t.creditNoteId + ".html").query("tenant_id", c.id));
        add("GET", "/api/v1/billing/credit-notes/{n}.pdf", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/credit-notes/" + t.creditNoteId + ".pdf").query("tenant_id", c.id));
        add("GET", "/api/v1/billing/details", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/details").query("tenant_id", t.id));
        add("PUT", "/api/v1/billing/details", nf, BILLING_READERS, (t, c) -> Call.of("PUT",
                "/api/v1/billing/details").query("tenant_id", t.id).json(Map.of("legal_name", "Taken over",
                        "address_lines", List.of("2 Elsewhere"), "country", "DE", "language", "en")));
        add("GET", "/api/v1/billing/usage", nf, BILLING_READERS, (t, c) -> Call.of("GET", "/api/v1/billing/usage")
                .query("tenant_id", t.id));
        add("GET", "/api/v1/billing/budgets", nf, BILLING_READERS, (t, c) -> Call.of("GET",
                "/api/v1/billing/budgets").query("tenant_id", t.id));
        add("PUT", "/api/v1/billing/budgets", nf, ADMINS, (t, c) -> Call.of("PUT", "/api/v1/billing/budgets")
                .query("tenant_id", t.id).json(Map.of("soft_budget_minor", 1)));
        add("PUT", "/api/v1/billing/budgets/keys/{k}", nf, ADMINS, (t, c) -> Call.of("PUT",
                "/api/v1/billing/budgets/keys/" + t.keyId).query("tenant_id", t.id)
                .json(Map.of("hard_budget_minor", 0)));
        add("GET", "/api/v1/billing/plan", nf, BILLING_READERS, (t, c) -> Call.of("GET", "/api/v1/billing/plan")
                .query("tenant_id", t.id));
    }
}
