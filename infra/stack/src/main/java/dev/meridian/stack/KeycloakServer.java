package dev.meridian.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Keycloak for the stack: the keycloak-quarkus-dist zip from Maven Central, unpacked once and started in dev mode
 * with the {@code meridian} realm imported; or an existing Keycloak into which the realm is imported through the
 * admin API.
 */
public final class KeycloakServer implements AutoCloseable {

    public static final String REALM = "meridian";
    /** Written last into an install folder: which zip it holds, so a half-written folder never counts as done. */
    private static final String MARKER = ".unpacked-from";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z0-9_]+)}");

    private final ChildProcess process;
    private final String url;
    private final KeycloakAdmin admin;

    private KeycloakServer(ChildProcess process, String url, KeycloakAdmin admin) {
        this.process = process;
        this.url = url;
        this.admin = admin;
    }

    /**
     * Starts Keycloak from the dist zip, unpacked into {@code installDir} (kept, with Keycloak's own data). The first
     * start on a machine augments the distribution for dev mode (Quarkus' build step, tens of seconds); that result is
     * then kept next to the zip and later installs are hard-linked from it, so each test JVM's fresh Keycloak starts
     * without augmenting again.
     */
    public static KeycloakServer start(MeridianHome home, Secrets secrets, int port, int managementPort,
            Path installDir, Path logDir, Path pidDir) {
        return start(home, secrets, port, managementPort, installDir, logDir, pidDir, false);
    }

    /**
     * As {@link #start(MeridianHome, Secrets, int, int, Path, Path, Path)}; with {@code seeded}, a fresh install gets
     * a copy of a database in which Keycloak already created its schema, the master realm and this exact
     * {@code meridian} realm (same secrets). The seed is made once next to the zip, by a Keycloak started and
     * stopped for that purpose, and saves every later start the schema creation and the realm import (about two
     * thirds of a start). For test JVMs that share one set of secrets per build; each still runs its own Keycloak on
     * its own copy of the database.
     */
    public static KeycloakServer start(MeridianHome home, Secrets secrets, int port, int managementPort,
            Path installDir, Path logDir, Path pidDir, boolean seeded) {
        try {
            Path zip = home.keycloakZip();
            Path prepared = zip.resolveSibling("prepared");
            String realm = realm(home, secrets);
            boolean fromPrepared = installFrom(zip, prepared, installDir);
            boolean fromSeed = false;
            if (seeded && !Files.exists(installDir.resolve("data/h2"))) {
                Path seed = seed(home, secrets, zip, prepared, installDir, fromPrepared, realm, logDir);
                copyTree(seed, installDir.resolve("data/h2"));
                fromPrepared = true;
                fromSeed = true;
            }
            var child = startProcess(home, secrets, port, managementPort, installDir, logDir, pidDir, realm, !fromSeed,
                    seeded);
            if (!fromPrepared) {
                keepPrepared(installDir, prepared);
            }
            return new KeycloakServer(child, "http://localhost:" + port, new KeycloakAdmin("http://localhost:" + port,
                    "admin", secrets.get(Secrets.KEYCLOAK_ADMIN_PASSWORD)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Keycloak in " + installDir, e);
        }
    }

    /**
     * Starts Keycloak in dev mode from {@code installDir} and waits until the realm answers. Every start shares one
     * class-data archive next to the zip (written by the first JVM to exit, then mapped by each later start: about a
     * third less CPU to start). Short-lived test servers also skip the optimising JIT ({@code quick}): they start
     * with less than half the CPU, at the price of slower password hashing per login.
     */
    private static ChildProcess startProcess(MeridianHome home, Secrets secrets, int port, int managementPort,
            Path installDir, Path logDir, Path pidDir, String realm, boolean importRealm, boolean quick)
            throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", installDir.resolve("bin/kc.sh").toString(),
                "start-dev", "--http-port=" + port, "--http-management-port=" + managementPort,
                "--hostname-strict=false", "--health-enabled=true"));
        if (importRealm) {
            Path importDir = installDir.resolve("data/import");
            Files.createDirectories(importDir);
            Files.writeString(importDir.resolve("meridian-realm.json"), realm);
            command.add("--import-realm");
        }
        String javaHome = System.getProperty("java.home");
        String jvm = "-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile="
                + home.keycloakZip().resolveSibling("keycloak.jsa") + (quick ? " -XX:TieredStopAtLevel=1" : "");
        Map<String, String> env = Map.of(
                "JAVA_HOME", javaHome,
                "PATH", javaHome + "/bin:" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                "JAVA_OPTS_KC_HEAP", "-Xms128m -Xmx768m",
                "JAVA_OPTS_APPEND", jvm,
                "KC_BOOTSTRAP_ADMIN_USERNAME", "admin",
                "KC_BOOTSTRAP_ADMIN_PASSWORD", secrets.get(Secrets.KEYCLOAK_ADMIN_PASSWORD));
        var child = ChildProcess.start("keycloak", command, env, installDir, logDir.resolve("keycloak.log"), pidDir);
        String url = "http://localhost:" + port;
        child.awaitReady(() -> realmAnswers(url), Duration.ofSeconds(180));
        return child;
    }

    /**
     * The seeded database for this realm and admin password: made once (under a file lock, so that concurrent test
     * JVMs make it once between them) by starting Keycloak with the realm imported and stopping it cleanly, which
     * leaves a consistent H2 database behind. It runs on a throwaway install linked from the prepared one; or, on the
     * machine's very first start, on {@code installDir} itself, which that start also augments and keeps as prepared.
     */
    private static Path seed(MeridianHome home, Secrets secrets, Path zip, Path prepared, Path installDir,
            boolean fromPrepared, String realm, Path logDir) throws IOException {
        String key = sha256(realm + "\n" + secrets.get(Secrets.KEYCLOAK_ADMIN_PASSWORD) + "\n" + stamp(zip));
        Path seed = zip.resolveSibling("seeded-" + key.substring(0, 16));
        if (Files.exists(seed.resolve(MARKER))) {
            return seed;
        }
        try (var lock = java.nio.channels.FileChannel.open(zip.resolveSibling("seed.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                var held = lock.lock()) {
            if (Files.exists(seed.resolve(MARKER))) {
                return seed; // another JVM made it while this one waited
            }
            Path scratch = fromPrepared ? zip.resolveSibling("seeding-" + ProcessHandle.current().pid()) : installDir;
            try {
                if (fromPrepared) {
                    deleteTree(scratch);
                    linkTree(prepared, scratch);
                }
                startProcess(home, secrets, Ports.free(), Ports.free(), scratch, logDir, null, realm, true, true).close();
                if (!fromPrepared) {
                    keepPrepared(installDir, prepared);
                }
                Path staging = zip.resolveSibling("seeded.tmp-" + ProcessHandle.current().pid());
                deleteTree(staging);
                copyTree(scratch.resolve("data/h2"), staging);
                Files.writeString(staging.resolve(MARKER), key);
                Files.move(staging, seed, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                deleteTree(fromPrepared ? scratch : installDir.resolve("data"));
            }
            return seed;
        }
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies the files of {@code source} (the seed's marker excepted) into {@code target}. */
    private static void copyTree(Path source, Path target) throws IOException {
        try (var files = Files.walk(source)) {
            for (Path from : (Iterable<Path>) files::iterator) {
                Path relative = source.relativize(from);
                if (relative.toString().equals(MARKER)) {
                    continue;
                }
                Path to = target.resolve(relative.toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Uses a running Keycloak; imports the realm through the admin REST API when it is not there yet. */
    public static KeycloakServer existing(MeridianHome home, Secrets secrets, String url, String adminUser,
            String adminPassword) {
        String base = url.replaceAll("/+$", "");
        if (!realmAnswers(base)) {
            var http = HttpClient.newHttpClient();
            try {
                String form = "grant_type=password&client_id=admin-cli&username="
                        + URLEncoder.encode(adminUser, StandardCharsets.UTF_8) + "&password="
                        + URLEncoder.encode(adminPassword, StandardCharsets.UTF_8);
                var tokenResponse = http.send(HttpRequest.newBuilder(URI.create(base
                                + "/realms/master/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
                if (tokenResponse.statusCode() != 200) {
                    throw new IllegalStateException("Keycloak at " + base + " refused the admin login ("
                            + tokenResponse.statusCode() + "): check MERIDIAN_KEYCLOAK_ADMIN_USER/PASSWORD");
                }
                String token = Json.field(tokenResponse.body(), "access_token");
                var created = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/realms"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(realm(home, secrets))).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (created.statusCode() != 201) {
                    throw new IllegalStateException("importing realm meridian into " + base + " failed ("
                            + created.statusCode() + "): " + created.body());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot reach Keycloak at " + base, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return new KeycloakServer(null, base, new KeycloakAdmin(base, adminUser, adminPassword));
    }

    public String url() {
        return url;
    }

    /**
     * Has the realm send its mails (e-mail verification: the realm requires it before a sign-up may sign in) through
     * {@code mail}. Set at every start through the admin API, not in the realm file, because the mail server's port
     * may differ from start to start while the seeded database is reused.
     */
    public void useMailServer(MailServer mail) {
        admin.useMailServer(mail.host(), mail.smtpPort());
    }

    /** The admin REST API of the realm, as the master realm's admin. */
    public KeycloakAdmin admin() {
        return admin;
    }

    public String realmUrl() {
        return url + "/realms/" + REALM;
    }

    public long pid() {
        return process == null ? -1 : process.pid();
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }

    /** The realm template with every {@code ${NAME}} filled from the secrets; a placeholder left over is an error. */
    static String realm(MeridianHome home, Secrets secrets) throws IOException {
        return fill(Files.readString(home.realmTemplate()), secrets.asMap());
    }

    static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        var out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("realm template placeholder ${" + m.group(1) + "} has no value");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value.replace("\\", "\\\\").replace("\"", "\\\"")));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean realmAnswers(String base) {
        try {
            var response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build().send(
                    HttpRequest.newBuilder(URI.create(base + "/realms/" + REALM + "/.well-known/openid-configuration"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Fills {@code installDir} when it does not hold this zip yet; true when it came from the prepared install. */
    private static boolean installFrom(Path zip, Path prepared, Path installDir) throws IOException {
        String stamp = stamp(zip);
        if (holds(installDir, stamp)) {
            return true; // a kept install (./platform) was augmented on its first start
        }
        if (holds(prepared, stamp)) {
            try {
                linkTree(prepared, installDir);
                return true;
            } catch (IOException e) {
                deleteTree(installDir); // e.g. another file system: fall back to unpacking
            }
        }
        unpack(zip, installDir, stamp);
        return false;
    }

    /**
     * Keeps an augmented copy of a freshly started install (without its data) for later installs. Best effort: a
     * machine that cannot keep it only loses the speed-up.
     */
    private static void keepPrepared(Path installDir, Path prepared) {
        Path staging = prepared.resolveSibling("prepared.tmp-" + ProcessHandle.current().pid());
        try {
            linkTree(installDir, staging);
            Files.move(staging, prepared, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // another JVM kept its own first, or links are not possible here
        } finally {
            deleteTree(staging);
        }
    }

    private static String stamp(Path zip) throws IOException {
        return zip.toAbsolutePath() + " " + Files.size(zip) + " " + Files.getLastModifiedTime(zip).toMillis();
    }

    private static boolean holds(Path installDir, String stamp) throws IOException {
        Path marker = installDir.resolve(MARKER);
        return Files.exists(marker) && Files.readString(marker).equals(stamp);
    }

    /** Hard-links every file of an install except its data (Keycloak's database, imports) into {@code target}. */
    private static void linkTree(Path source, Path target) throws IOException {
        try (var files = Files.walk(source)) {
            for (Path from : (Iterable<Path>) files::iterator) {
                Path relative = source.relativize(from);
                if (relative.startsWith("data") || relative.toString().equals(MARKER)) {
                    continue;
                }
                Path to = target.resolve(relative.toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.deleteIfExists(to);
                    Files.createLink(to, from);
                }
            }
        }
        // the marker makes the tree count as complete, so it comes last
        Files.copy(source.resolve(MARKER), target.resolve(MARKER), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leftovers under target/ are removed by the next clean build
        }
    }

    private static void unpack(Path zip, Path installDir, String stamp) throws IOException {
        Path marker = installDir.resolve(MARKER);
        Files.deleteIfExists(marker);
        Files.createDirectories(installDir);
        try (InputStream raw = Files.newInputStream(zip); var in = new ZipInputStream(raw)) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                String name = entry.getName();
                int slash = name.indexOf('/');
                if (slash < 0 || slash == name.length() - 1) {
                    continue; // the top folder keycloak-<version>/ itself
                }
                Path target = installDir.resolve(name.substring(slash + 1)).normalize();
                if (!target.startsWith(installDir)) {
                    throw new IOException("zip entry escapes the install folder: " + name);
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.writeString(marker, stamp);
    }
}
