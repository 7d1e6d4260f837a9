package dev.meridian.common.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * How a service reaches Kafka and who it is there: the bootstrap servers and the security settings ({@code
 * security.protocol}, {@code sasl.*}, {@code ssl.*}) that every producer, consumer and admin client of the service
 * starts from, so that no client connects as anyone else or in plaintext by mistake. Each service is its own Kafka
 * principal (SASL/SCRAM), allowed by ACLs only the topics and groups it uses (docs/architecture.md, "Kafka principals").
 *
 * <p>Quarkus services build it from quarkus-kafka-client's {@code default-kafka-broker} configuration (every {@code
 * kafka.*} setting); the worker, which is not a Quarkus application, from its own settings.
 */
public final class KafkaConnection {

    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    private final Map<String, Object> settings;

    private KafkaConnection(Map<String, Object> settings) {
        if (!(settings.get("bootstrap.servers") instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException("Kafka settings lack bootstrap.servers (kafka.bootstrap.servers)");
        }
        this.settings = Map.copyOf(settings);
    }

    /** The connection settings among {@code config} (keys without the {@code kafka.} prefix); others are ignored. */
    public static KafkaConnection of(Map<String, ?> config) {
        Map<String, Object> kept = new LinkedHashMap<>();
        config.forEach((key, value) -> {
            if (value != null && isConnectionSetting(key)) {
                kept.put(key, value.toString());
            }
        });
        return new KafkaConnection(kept);
    }

    /** No authentication: only for a cluster that has none (an operator's explicit choice, never the default). */
    public static KafkaConnection plaintext(String bootstrap) {
        return new KafkaConnection(Map.of("bootstrap.servers", bootstrap, "security.protocol", "PLAINTEXT"));
    }

    /**
     * As {@code username}, proving it with SCRAM-SHA-512 over {@code protocol} ({@code SASL_PLAINTEXT}, or {@code
     * SASL_SSL} where the cluster has TLS); {@code PLAINTEXT} gives {@link #plaintext}.
     */
    public static KafkaConnection scram(String bootstrap, String protocol, String username, String password) {
        if ("PLAINTEXT".equalsIgnoreCase(protocol)) {
            return plaintext(bootstrap);
        }
        if (username == null || username.isBlank() || password == null || password.isBlank()) {
            throw new IllegalArgumentException("Kafka over " + protocol + " needs a username and a password");
        }
        return new KafkaConnection(Map.of("bootstrap.servers", bootstrap, "security.protocol", protocol,
                "sasl.mechanism", SCRAM_MECHANISM, "sasl.jaas.config", jaas(
                        "org.apache.kafka.common.security.scram.ScramLoginModule", username, password)));
    }

    /**
     * This connection, trusting the brokers' certificates signed by the CA certificates {@code pem} (PEM text), for
     * SASL_SSL to a cluster with its own CA (Strimzi's cluster CA, say).
     */
    public KafkaConnection trusting(String pem) {
        Map<String, Object> more = new LinkedHashMap<>(settings);
        more.put("ssl.truststore.type", "PEM");
        more.put("ssl.truststore.certificates", pem);
        return new KafkaConnection(more);
    }

    /** A JAAS line for Kafka's {@code sasl.jaas.config}: {@code module required username="..." password="...";}. */
    public static String jaas(String loginModule, String username, String password) {
        if (username.contains("\"") || password.contains("\"")) {
            throw new IllegalArgumentException("a Kafka username or password may not contain a double quote");
        }
        return loginModule + " required username=\"" + username + "\" password=\"" + password + "\";";
    }

    private static boolean isConnectionSetting(String key) {
        return key.equals("bootstrap.servers") || key.equals("security.protocol") || key.equals("client.dns.lookup")
                || key.startsWith("sasl.") || key.startsWith("ssl.");
    }

    public String bootstrapServers() {
        return (String) settings.get("bootstrap.servers");
    }

    /** These settings plus {@code extra} (a client's own: ids, timeouts, serialisation), for a client's map config. */
    public Map<String, Object> with(Map<String, ?> extra) {
        Map<String, Object> all = new LinkedHashMap<>(settings);
        all.putAll(extra);
        return all;
    }

    /** These settings plus {@code extra}, as {@link Properties}. */
    public Properties properties(Properties extra) {
        Properties p = new Properties();
        p.putAll(settings);
        p.putAll(extra);
        return p;
    }

    /** These settings alone. */
    public Properties properties() {
        return properties(new Properties());
    }

    /** Where and how, never the password: for logs and error messages. */
    @Override
    public String toString() {
        return bootstrapServers() + " (" + settings.getOrDefault("security.protocol", "PLAINTEXT") + ")";
    }
}
