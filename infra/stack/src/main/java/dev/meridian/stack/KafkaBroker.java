package dev.meridian.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A single-node Apache Kafka broker in KRaft mode (broker and controller in one), run from the Maven Central jars
 * that infra/dist resolves, in a child JVM. Its data folder keeps topics, offsets, SCRAM credentials and ACLs across
 * restarts.
 *
 * <p>Nobody connects anonymously: the one listener takes SASL, SCRAM-SHA-512 for the services' principals (made by
 * {@link KafkaPrincipals} through the admin API, kept in the metadata log) and PLAIN for {@value #ADMIN} alone,
 * whose password is in this broker's own configuration, so that the administrator exists before any credential does.
 * The controller listener takes PLAIN for {@value #ADMIN} too. KRaft's StandardAuthorizer denies whatever no ACL
 * allows; {@value #ADMIN} is the only super user. The listener has no TLS: it binds to localhost only (a cluster
 * reached over a network is SASL_SSL, see docs/operations.md).
 */
public final class KafkaBroker implements AutoCloseable {

    /** The broker's administrator and only super user. */
    public static final String ADMIN = "admin";

    private final ChildProcess process;
    private final int port;
    private final String adminPassword;

    private KafkaBroker(ChildProcess process, int port, String adminPassword) {
        this.process = process;
        this.port = port;
        this.adminPassword = adminPassword;
    }

    public static KafkaBroker start(MeridianHome home, Secrets secrets, int port, int controllerPort, Path dataDir,
            Path logDir, Path pidDir) {
        String adminPassword = secrets.kafkaPassword(ADMIN);
        try {
            Files.createDirectories(dataDir);
            Path config = dataDir.resolve("server.properties");
            Files.writeString(config, serverProperties(port, controllerPort, dataDir.resolve("log"), adminPassword));
            Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            String classpath = home.kafkaLibs().toAbsolutePath() + "/*";
            // one class-data archive per program next to the jars, written by the first JVM to exit and mapped by
            // every later one: each test JVM starts its own broker, and class loading is most of a start
            Path archives = home.kafkaLibs().toAbsolutePath().getParent();
            Path log = logDir.resolve("kafka.log");

            if (!Files.exists(dataDir.resolve("log/meta.properties"))) {
                List<String> format = List.of(ChildProcess.javaBinary(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                        "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archives.resolve("kafka-format.jsa"),
                        "-cp", classpath,
                        "-Dlog4j2.configurationFile=" + writeLog4j(dataDir).toUri(),
                        "kafka.tools.StorageTool", "format", "--ignore-formatted",
                        "-t", clusterId(), "-c", config.toString());
                var formatter = ChildProcess.start("kafka-format", format, Map.of(), dataDir, log, null);
                formatter.awaitSuccess(Duration.ofSeconds(60));
            }

            List<String> command = new ArrayList<>(List.of(ChildProcess.javaBinary(),
                    "-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-XX:TieredStopAtLevel=1",
                    "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archives.resolve("kafka.jsa"),
                    "-Djava.awt.headless=true",
                    "-Dlog4j2.configurationFile=" + writeLog4j(dataDir).toUri(),
                    "-cp", classpath, "kafka.Kafka", config.toString()));
            var child = ChildProcess.start("kafka", command, Map.of(), dataDir, log, pidDir);
            var broker = new KafkaBroker(child, port, adminPassword);
            child.awaitReady(() -> Ports.listening(port) && child.outputSinceStart().contains("Kafka Server started"),
                    Duration.ofSeconds(90));
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka in " + dataDir, e);
        }
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Client settings of the administrator (SASL PLAIN), for admin clients that create principals and topics. */
    public Map<String, Object> adminSettings() {
        return adminSettings(bootstrapServers(), adminPassword);
    }

    /** As {@link #adminSettings()}, for the broker at {@code bootstrap}. */
    public static Map<String, Object> adminSettings(String bootstrap, String adminPassword) {
        return Map.of("bootstrap.servers", bootstrap, "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN", "sasl.jaas.config", plainJaas(adminPassword, false));
    }

    /** PLAIN's JAAS line: the administrator's own credentials and, on the broker's side, the one user it accepts. */
    private static String plainJaas(String adminPassword, boolean server) {
        String line = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN
                + "\" password=\"" + adminPassword + "\"";
        return (server ? line + " user_" + ADMIN + "=\"" + adminPassword + "\"" : line) + ";";
    }

    public long pid() {
        return process.pid();
    }

    /** Completes with the broker's exit code when its process ends. */
    public java.util.concurrent.CompletableFuture<Integer> onExit() {
        return process.onExit();
    }

    @Override
    public void close() {
        process.close();
    }

    private static String serverProperties(int port, int controllerPort, Path logDirs, String adminPassword) {
        String plain = plainJaas(adminPassword, true);
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@localhost:" + controllerPort,
                "listeners=SASL_PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=SASL_PLAINTEXT://localhost:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=SASL_PLAINTEXT",
                "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
                "sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN",
                "sasl.mechanism.inter.broker.protocol=PLAIN",
                "sasl.mechanism.controller.protocol=PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + plain,
                "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
                "listener.name.controller.plain.sasl.jaas.config=" + plain,
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users=User:" + ADMIN,
                "allow.everyone.if.no.acl.found=false",
                "log.dirs=" + logDirs,
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "min.insync.replicas=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "log.retention.hours=168",
                "") ;
    }

    private static Path writeLog4j(Path dataDir) throws IOException {
        Path file = dataDir.resolve("log4j2.properties");
        if (!Files.exists(file)) {
            Files.writeString(file, String.join("\n",
                    "status = warn",
                    "appender.out.type = Console",
                    "appender.out.name = out",
                    "appender.out.layout.type = PatternLayout",
                    "appender.out.layout.pattern = %d{ISO8601} %-5p [%c{1}] %m%n",
                    "rootLogger.level = INFO",
                    "rootLogger.appenderRef.out.ref = out",
                    "logger.kafka.name = kafka",
                    "logger.kafka.level = INFO",
                    "logger.apache.name = org.apache.kafka",
                    "logger.apache.level = WARN",
                    ""));
        }
        return file;
    }

    /** A random cluster id; never one starting with '-', which the formatter would take for an option (1 in 64). */
    private static String clusterId() {
        byte[] bytes = new byte[16];
        SecureRandom random = new SecureRandom();
        String id;
        do {
            random.nextBytes(bytes);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (id.startsWith("-"));
        return id;
    }
}
