package dev.meridian.stack;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Does what a person does in a browser against Keycloak's real pages: the authorization-code flow with PKCE (S256)
 * of the public {@code meridian-console} client, and sign-up through the registration form. Used by the tests and
 * by {@code ./platform} (demo bootstrap, {@code ./platform token}); the console does the same in a real browser.
 */
public final class OidcBrowser {

    public static final String CONSOLE_CLIENT = "meridian-console";
    public static final String REDIRECT_URI = "http://localhost:3000/callback";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String realmUrl;
    private final HttpClient http;
    /**
     * Keycloak marks its session cookies Secure even on plain-HTTP localhost, and java.net's CookieManager then
     * withholds them; a browser on localhost sends them. So this jar keeps every cookie Keycloak sets.
     */
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private final String verifier = random(48);
    private final String state = random(16);

    private OidcBrowser(String keycloakUrl) {
        this.realmUrl = keycloakUrl.replaceAll("/+$", "") + "/realms/" + KeycloakServer.REALM;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Logs in with the code flow + PKCE and returns the tokens the console would hold. */
    public static Tokens login(String keycloakUrl, String username, String password) {
        var browser = new OidcBrowser(keycloakUrl);
        String page = browser.get(browser.authorizeUrl("/protocol/openid-connect/auth"));
        String action = HtmlForms.action(page, "kc-form-login");
        var answer = browser.post(action, Map.of("username", username, "password", password, "credentialId", ""));
        return browser.exchange(answer, "login of " + username);
    }

    /**
     * Signs a new user up on Keycloak's registration page (e-mail is the user name) and returns their tokens; for a
     * realm that does not ask sign-ups to verify their address. Where it does, use the variant with a mailbox.
     */
    public static Tokens signUp(String keycloakUrl, String email, String password, String firstName, String lastName) {
        return startSignUp(keycloakUrl, email, password, firstName, lastName).tokens();
    }

    /**
     * Signs a new user up and, where the realm asks for it, verifies their address the way a person does: opens the
     * mail Keycloak sent to {@code email} and follows its link in the same browser, which completes the sign-in.
     */
    public static Tokens signUp(String keycloakUrl, Mailbox mailbox, String email, String password, String firstName,
            String lastName) {
        var signUp = startSignUp(keycloakUrl, email, password, firstName, lastName);
        return signUp.awaitsVerification() ? signUp.verify(mailbox) : signUp.tokens();
    }

    /** Submits the registration form; what comes next (tokens, or a wait for e-mail verification) is in the answer. */
    public static SignUp startSignUp(String keycloakUrl, String email, String password, String firstName,
            String lastName) {
        var browser = new OidcBrowser(keycloakUrl);
        String page = browser.get(browser.authorizeUrl("/protocol/openid-connect/registrations"));
        String action = HtmlForms.action(page, "kc-register-form");
        Map<String, String> form = new LinkedHashMap<>();
        form.put("email", email);
        form.put("firstName", firstName);
        form.put("lastName", lastName);
        form.put("password", password);
        form.put("password-confirm", password);
        return new SignUp(browser, email, password, browser.followInKeycloak(browser.post(action, form)));
    }

    /** Follows redirects that stay in Keycloak (e.g. to a required action's page); stops at one to the console. */
    private HttpResponse<String> followInKeycloak(HttpResponse<String> response) {
        for (int hop = 0; hop < 10; hop++) {
            var location = response.headers().firstValue("Location");
            if (response.statusCode() / 100 != 3 || location.isEmpty() || location.get().startsWith(REDIRECT_URI)) {
                return response;
            }
            response = send(HttpRequest.newBuilder(response.uri().resolve(location.get())).GET().build());
        }
        throw new IllegalStateException("Keycloak kept redirecting, last to " + response.uri());
    }

    /** A submitted registration: signed in already, or held until the address is verified. */
    public static final class SignUp {
        private static final String PASSWORD_FORM = "kc-passwd-update-form";
        private final OidcBrowser browser;
        private final String email;
        private final String password;
        private final HttpResponse<String> answer;

        private SignUp(OidcBrowser browser, String email, String password, HttpResponse<String> answer) {
            this.browser = browser;
            this.email = email;
            this.password = password;
            this.answer = answer;
        }

        /** Whether Keycloak holds the sign-in until the address is verified (the realm's "verify e-mail"). */
        public boolean awaitsVerification() {
            return answer.statusCode() == 200 && !answer.body().contains("kc-register-form")
                    && answer.body().toLowerCase(java.util.Locale.ROOT).contains("verif");
        }

        /** The tokens, where Keycloak signed the new user in at once. */
        public Tokens tokens() {
            if (awaitsVerification()) {
                throw new IllegalStateException("sign-up of " + email + " waits for its e-mail address to be"
                        + " verified: Keycloak mailed a link to it (use signUp with the stack's mailbox)");
            }
            return browser.exchange(answer, "sign-up of " + email);
        }

        /**
         * Follows the link of the verification mail in this browser, then chooses the password where Keycloak asks
         * for it only now (a realm that verifies addresses does not take a password before); Keycloak then completes
         * the sign-in.
         */
        public Tokens verify(Mailbox mailbox) {
            String link = mailbox.awaitActionLink(email, Duration.ofSeconds(60));
            var answer = browser.followInKeycloak(browser.send(HttpRequest.newBuilder(URI.create(link)).GET().build()));
            if (answer.statusCode() == 200 && answer.body().contains(PASSWORD_FORM)) {
                answer = browser.followInKeycloak(browser.post(HtmlForms.action(answer.body(), PASSWORD_FORM),
                        Map.of("password-new", password, "password-confirm", password)));
            }
            return browser.exchange(answer, "sign-up of " + email + " after verifying");
        }
    }

    /**
     * Opens a link from one of Keycloak's mails in a fresh browser, confirming where Keycloak asks, until Keycloak has
     * done what the link says (e.g. the address is verified); returns the last page.
     */
    public static String openMailLink(String keycloakUrl, String link) {
        var browser = new OidcBrowser(keycloakUrl);
        var last = browser.followToConsole(link);
        if (last.statusCode() >= 400) {
            throw new IllegalStateException("the mail's link answered " + last.statusCode() + ": "
                    + HtmlForms.feedback(last.body()).orElse(last.body()));
        }
        return last.body();
    }

    /** A fresh access token for a signed-in console user (the refresh grant): carries the account as it is now. */
    public static Tokens refresh(String keycloakUrl, String refreshToken) {
        var browser = new OidcBrowser(keycloakUrl);
        var response = browser.post(browser.realmUrl + "/protocol/openid-connect/token", Map.of(
                "grant_type", "refresh_token", "refresh_token", refreshToken, "client_id", CONSOLE_CLIENT));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("refresh refused (" + response.statusCode() + "): " + response.body());
        }
        return Tokens.fromJson(response.body());
    }

    /**
     * Follows Keycloak's redirects and its "click here to proceed" links from {@code url}, until a redirect to the
     * console (returned, for {@link #exchange}) or a page that leads nowhere further (returned as it is).
     */
    private HttpResponse<String> followToConsole(String url) {
        URI at = URI.create(url);
        for (int hop = 0; hop < 10; hop++) {
            var response = send(HttpRequest.newBuilder(at).GET().build());
            var location = response.headers().firstValue("Location");
            if (response.statusCode() / 100 == 3 && location.isPresent()) {
                if (location.get().startsWith(REDIRECT_URI)) {
                    return response;
                }
                at = at.resolve(location.get());
                continue;
            }
            var next = response.statusCode() == 200 ? HtmlForms.loginActionLink(response.body())
                    : java.util.Optional.<String>empty();
            if (next.isEmpty()) {
                return response;
            }
            at = at.resolve(next.get());
        }
        throw new IllegalStateException("Keycloak kept redirecting from " + url);
    }

    private String authorizeUrl(String endpoint) {
        return realmUrl + endpoint + "?" + query(Map.of(
                "client_id", CONSOLE_CLIENT,
                "response_type", "code",
                "scope", "openid email profile",
                "redirect_uri", REDIRECT_URI,
                "state", state,
                "code_challenge", challenge(verifier),
                "code_challenge_method", "S256"));
    }

    /** Reads the code from the redirect to the console, checks the state, and redeems it with the verifier. */
    private Tokens exchange(HttpResponse<String> answer, String what) {
        String location = answer.headers().firstValue("Location").orElse(null);
        if (answer.statusCode() != 302 || location == null || !location.startsWith(REDIRECT_URI)) {
            throw new IllegalStateException(what + " failed: Keycloak answered " + answer.statusCode() + " "
                    + HtmlForms.feedback(answer.body()).orElse("without a redirect to the console"));
        }
        Map<String, String> params = parseQuery(URI.create(location).getRawQuery());
        if (!state.equals(params.get("state"))) {
            throw new IllegalStateException(what + ": the state in the redirect does not match the request");
        }
        if (params.containsKey("error")) {
            throw new IllegalStateException(what + " failed: " + params.get("error") + " "
                    + params.getOrDefault("error_description", ""));
        }
        var response = post(realmUrl + "/protocol/openid-connect/token", Map.of(
                "grant_type", "authorization_code",
                "code", params.get("code"),
                "redirect_uri", REDIRECT_URI,
                "client_id", CONSOLE_CLIENT,
                "code_verifier", verifier));
        if (response.statusCode() != 200) {
            throw new IllegalStateException(what + ": token exchange failed (" + response.statusCode() + "): "
                    + response.body());
        }
        return Tokens.fromJson(response.body());
    }

    private String get(String url) {
        var response = send(HttpRequest.newBuilder(URI.create(url)).GET().build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + response.statusCode() + ": "
                    + HtmlForms.feedback(response.body()).orElse(response.body()));
        }
        return response.body();
    }

    private HttpResponse<String> post(String url, Map<String, String> form) {
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(query(form))).build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            HttpRequest withCookies = request;
            if (!cookies.isEmpty()) {
                String header = cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining("; "));
                withCookies = HttpRequest.newBuilder(request, (n, v) -> true).header("Cookie", header).build();
            }
            HttpResponse<String> response = http.send(withCookies, HttpResponse.BodyHandlers.ofString());
            for (String setCookie : response.headers().allValues("Set-Cookie")) {
                String pair = setCookie.split(";", 2)[0];
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String name = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1).trim();
                boolean expired = setCookie.toLowerCase(java.util.Locale.ROOT).contains("max-age=0") || value.isEmpty();
                if (expired) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
            return response;
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach Keycloak at " + request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String query(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(java.net.URLDecoder.decode(k, StandardCharsets.UTF_8),
                    java.net.URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The client-credentials grant of a confidential client (partners, services). */
    public static Tokens clientCredentials(String keycloakUrl, String clientId, String secret) {
        var browser = new OidcBrowser(keycloakUrl);
        var response = browser.post(browser.realmUrl + "/protocol/openid-connect/token", Map.of(
                "grant_type", "client_credentials", "client_id", clientId, "client_secret", secret));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("client credentials of " + clientId + " refused (" + response.statusCode()
                    + "): " + response.body());
        }
        return Tokens.fromJson(response.body());
    }

    /** Reads one claim of an access token's payload, without checking it (tests and diagnostics only). */
    public static Optional<String> claim(String jwt, String name) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            return Optional.empty();
        }
        var payload = Json.parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        var node = payload.get(name);
        return node == null ? Optional.empty() : Optional.of(node.isTextual() ? node.asText() : node.toString());
    }
}
