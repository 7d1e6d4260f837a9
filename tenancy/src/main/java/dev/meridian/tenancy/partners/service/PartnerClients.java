package dev.meridian.tenancy.partners.service;

import dev.meridian.common.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.OAuth2Constants;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;

/**
 * Partner credentials as Keycloak clients, through Keycloak's admin API as tenancy's own service account (realm
 * role {@code manage-clients}): one confidential client per credential, client credentials only, whose access tokens
 * are for {@code meridian-api} and carry the partner's id in {@code partner_id}. Keycloak keeps the secret; tenancy
 * shows it once and stores only the client's id and its service-account user's id (the tokens' subject).
 */
@ApplicationScoped
public class PartnerClients {

    private static final Logger LOG = Logger.getLogger(PartnerClients.class);

    /** A client just made: its secret is shown to the caller once and kept nowhere in Meridian. */
    public record Created(String clientId, String secret, String subject) {
    }

    @ConfigProperty(name = "quarkus.keycloak.admin-client.server-url")
    String serverUrl;
    @ConfigProperty(name = "quarkus.keycloak.admin-client.realm")
    String realm;
    @ConfigProperty(name = "quarkus.keycloak.admin-client.client-id")
    String clientId;
    @ConfigProperty(name = "quarkus.keycloak.admin-client.client-secret")
    Optional<String> clientSecret;

    private volatile Keycloak keycloak;

    /**
     * The admin client, made on first use rather than injected: the extension's injectable client insists on its
     * secret when the application starts, and the same jar also runs the database migrations (./platform, the
     * chart's migration Job), which hold no Keycloak secret and need none.
     */
    private Keycloak keycloak() {
        Keycloak k = keycloak;
        if (k == null) {
            synchronized (this) {
                if (keycloak == null) {
                    keycloak = KeycloakBuilder.builder().serverUrl(serverUrl).realm(realm).clientId(clientId)
                            .clientSecret(clientSecret.orElseThrow(() -> ApiException.unavailable("Partner"
                                    + " credentials are not configured on this tenancy (no Keycloak admin secret)."
                                    + " An operator must set quarkus.keycloak.admin-client.client-secret.")))
                            .grantType(OAuth2Constants.CLIENT_CREDENTIALS).build();
                }
                k = keycloak;
            }
        }
        return k;
    }

    public Created create(UUID partnerId, UUID credentialId, String name) {
        var client = new ClientRepresentation();
        client.setClientId("partner-" + credentialId);
        client.setName(name);
        client.setDescription("Meridian partner " + partnerId + " credential " + credentialId);
        client.setEnabled(true);
        client.setProtocol("openid-connect");
        client.setPublicClient(false);
        client.setClientAuthenticatorType("client-secret");
        client.setServiceAccountsEnabled(true);
        client.setStandardFlowEnabled(false);
        client.setImplicitFlowEnabled(false);
        client.setDirectAccessGrantsEnabled(false);
        client.setProtocolMappers(List.of(
                mapper("meridian-api-audience", "oidc-audience-mapper",
                        Map.of("included.custom.audience", "meridian-api")),
                mapper("partner-id", "oidc-hardcoded-claim-mapper", Map.of("claim.name", "partner_id",
                        "claim.value", partnerId.toString(), "jsonType.label", "String"))));
        try (Response created = keycloak().realm(realm).clients().create(client)) {
            String id = CreatedResponseUtil.getCreatedId(created);
            var resource = keycloak().realm(realm).clients().get(id);
            return new Created(client.getClientId(), resource.getSecret().getValue(),
                    resource.getServiceAccountUser().getId());
        } catch (WebApplicationException | ProcessingException e) {
            LOG.warnf("Keycloak refused or did not answer creating a partner client: %s", e.toString());
            throw ApiException.unavailable("Meridian could not create the credential in its identity provider just"
                    + " now. Nothing was created; retry in a few seconds.");
        }
    }

    /**
     * Gives the client a new secret: the old one gets no token from now on; tokens it already got stay valid until they
     * expire (minutes), so an integration that swaps the secret promptly never stops.
     */
    public String rotateSecret(String clientId) {
        try {
            var found = keycloak().realm(realm).clients().findByClientId(clientId);
            if (found.isEmpty()) {
                throw ApiException.conflict("The identity provider no longer knows this credential's client; revoke"
                        + " the credential and create a new one.");
            }
            return keycloak().realm(realm).clients().get(found.getFirst().getId()).generateNewSecret().getValue();
        } catch (WebApplicationException | ProcessingException e) {
            LOG.warnf("Keycloak refused or did not answer rotating a partner client's secret: %s", e.toString());
            throw ApiException.unavailable("Meridian could not rotate the secret in its identity provider just now."
                    + " The old secret still works; retry in a few seconds.");
        }
    }

    /** A Meridian user, as Keycloak knows them. */
    public record User(String id, String email) {
    }

    /** The user with exactly this e-mail address, if Keycloak has one. */
    public java.util.Optional<User> userByEmail(String email) {
        try {
            return keycloak().realm(realm).users().searchByEmail(email, true).stream()
                    .filter(u -> u.getEmail() != null && u.getEmail().equalsIgnoreCase(email))
                    .findFirst().map(u -> new User(u.getId(), u.getEmail()));
        } catch (WebApplicationException | ProcessingException e) {
            LOG.warnf("Keycloak refused or did not answer a user lookup: %s", e.toString());
            throw ApiException.unavailable("Meridian could not look the user up in its identity provider just now."
                    + " Nothing was changed; retry in a few seconds.");
        }
    }

    /** Deletes the client, so no new token can be had; tenancy refuses the tokens already out by itself. */
    public void delete(String clientId) {
        try {
            var found = keycloak().realm(realm).clients().findByClientId(clientId);
            for (var c : found) {
                keycloak().realm(realm).clients().get(c.getId()).remove();
            }
        } catch (WebApplicationException | ProcessingException e) {
            // revoked in tenancy already: its tokens are refused; the client is left for an operator to remove
            LOG.warnf("could not delete Keycloak client %s of a revoked partner credential (%s); its tokens are"
                    + " refused anyway", clientId, e.toString());
        }
    }

    private static ProtocolMapperRepresentation mapper(String name, String type, Map<String, String> config) {
        var m = new ProtocolMapperRepresentation();
        m.setName(name);
        m.setProtocol("openid-connect");
        m.setProtocolMapper(type);
        var all = new java.util.HashMap<>(config);
        all.put("access.token.claim", "true");
        all.put("id.token.claim", "false");
        all.put("introspection.token.claim", "true");
        m.setConfig(all);
        return m;
    }
}
