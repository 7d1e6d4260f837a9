package dev.meridian.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The services' Kafka principals and what each may do, read from the one table every deployment uses ({@link
 * MeridianHome#kafkaPrincipals()}; the chart renders the same table as Strimzi KafkaUsers). On the embedded broker,
 * {@link #apply} makes each principal's SCRAM credential and makes its ACLs exactly the table's: a grant removed
 * from the table is revoked on the next start.
 */
public final class KafkaPrincipals {

    /** Iterations of SCRAM-SHA-512's key derivation (Kafka's minimum is 4096). */
    private static final int SCRAM_ITERATIONS = 8192;

    /**
     * One grant: {@code operations} on the topic or consumer group {@code name} (a prefix when {@code prefixed}),
     * where {@code {region}} stands for each region served.
     */
    public record Grant(ResourceType type, String name, boolean prefixed, List<AclOperation> operations) {

        Grant inRegion(String region) {
            return new Grant(type, name.replace("{region}", region), prefixed, operations);
        }

        boolean regional() {
            return name.contains("{region}");
        }
    }

    /** A service's principal ({@code User:<service>}) and its grants. */
    public record Principal(String service, List<Grant> grants) {

        /** The grants with {@code {region}} replaced by each of {@code regions}. */
        public List<Grant> grantsIn(List<String> regions) {
            List<Grant> out = new ArrayList<>();
            for (Grant g : grants) {
                if (g.regional()) {
                    regions.forEach(r -> out.add(g.inRegion(r)));
                } else {
                    out.add(g);
                }
            }
            return out;
        }

        public String user() {
            return "User:" + service;
        }
    }

    private final Map<String, Principal> principals;

    private KafkaPrincipals(Map<String, Principal> principals) {
        this.principals = principals;
    }

    public static KafkaPrincipals load(MeridianHome home) {
        try {
            return parse(Files.readString(home.kafkaPrincipals()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Kafka principals from " + home.kafkaPrincipals(), e);
        }
    }

    static KafkaPrincipals parse(String json) throws IOException {
        Map<String, Principal> out = new LinkedHashMap<>();
        for (JsonNode p : new ObjectMapper().readTree(json).path("principals")) {
            List<Grant> grants = new ArrayList<>();
            for (JsonNode acl : p.path("acls")) {
                ResourceType type = acl.has("topic") ? ResourceType.TOPIC : ResourceType.GROUP;
                String name = acl.path(acl.has("topic") ? "topic" : "group").asText();
                List<AclOperation> operations = new ArrayList<>();
                acl.path("operations").forEach(o -> operations.add(operation(o.asText())));
                grants.add(new Grant(type, name, "prefix".equals(acl.path("pattern").asText("literal")),
                        List.copyOf(operations)));
            }
            String service = p.path("service").asText();
            out.put(service, new Principal(service, List.copyOf(grants)));
        }
        return new KafkaPrincipals(out);
    }

    private static AclOperation operation(String name) {
        AclOperation op = AclOperation.fromString(name.toUpperCase(Locale.ROOT));
        if (op == AclOperation.UNKNOWN || op == AclOperation.ANY || op == AclOperation.ALL) {
            throw new IllegalArgumentException("not a grantable Kafka operation: " + name);
        }
        return op;
    }

    public List<Principal> all() {
        return List.copyOf(principals.values());
    }

    public Principal of(String service) {
        Principal p = principals.get(service);
        if (p == null) {
            throw new IllegalArgumentException("no Kafka principal for " + service + "; the table has "
                    + principals.keySet());
        }
        return p;
    }

    /** The ACL bindings the table asks for, {@code {region}} expanded to each of {@code regions}. */
    public Set<AclBinding> bindings(List<String> regions) {
        Set<AclBinding> out = new LinkedHashSet<>();
        for (Principal p : principals.values()) {
            for (Grant g : p.grantsIn(regions)) {
                var pattern = new ResourcePattern(g.type(), g.name(), g.prefixed() ? PatternType.PREFIXED
                        : PatternType.LITERAL);
                for (AclOperation op : g.operations()) {
                    out.add(new AclBinding(pattern, new AccessControlEntry(p.user(), "*", op,
                            AclPermissionType.ALLOW)));
                }
            }
        }
        return out;
    }

    /**
     * Connected as the broker's administrator ({@code admin}, client settings), creates or updates each principal's
     * SCRAM-SHA-512 credential with its password from {@code secrets}, and makes the principals' ACLs exactly the
     * table's for {@code regions}.
     */
    public void apply(Map<String, Object> admin, List<String> regions, Secrets secrets) {
        try (Admin client = Admin.create(admin)) {
            List<UserScramCredentialUpsertion> users = new ArrayList<>();
            for (Principal p : principals.values()) {
                users.add(new UserScramCredentialUpsertion(p.service(),
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS),
                        secrets.kafkaPassword(p.service())));
            }
            client.alterUserScramCredentials(List.copyOf(users)).all().get(60, TimeUnit.SECONDS);

            Set<AclBinding> wanted = bindings(regions);
            Set<String> ours = new HashSet<>();
            principals.values().forEach(p -> ours.add(p.user()));
            List<AclBindingFilter> stale = new ArrayList<>();
            Set<AclBinding> present = new HashSet<>();
            for (AclBinding b : client.describeAcls(AclBindingFilter.ANY).values().get(60, TimeUnit.SECONDS)) {
                if (!ours.contains(b.entry().principal())) {
                    continue;
                }
                if (wanted.contains(b)) {
                    present.add(b);
                } else {
                    stale.add(b.toFilter());
                }
            }
            if (!stale.isEmpty()) {
                client.deleteAcls(stale).all().get(60, TimeUnit.SECONDS);
            }
            List<AclBinding> missing = wanted.stream().filter(b -> !present.contains(b)).toList();
            if (!missing.isEmpty()) {
                client.createAcls(missing).all().get(60, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the services' Kafka principals and ACLs: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
