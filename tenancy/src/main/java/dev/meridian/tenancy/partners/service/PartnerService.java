package dev.meridian.tenancy.partners.service;

import dev.meridian.common.error.ApiException;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.tenancy.Partner;
import dev.meridian.tenancy.PartnerCredential;
import dev.meridian.tenancy.StoredTime;
import dev.meridian.tenancy.Tenant;
import dev.meridian.tenancy.access.Access;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.access.TenantSession;
import dev.meridian.tenancy.config.TenancyConfig;
import dev.meridian.tenancy.outbox.Outbox;
import dev.meridian.tenancy.tenants.service.TenantService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Partners (operators create them), their credentials (Keycloak clients, see {@link PartnerClients}) and the tenants
 * they own. A partner's credential may read and manage only its own partner; operators (realm role
 * platform-admin) any. Anyone else learns nothing: a partner that is not the caller's is 404, like one that does
 * not exist.
 */
@ApplicationScoped
public class PartnerService {

    /** What creating a partner takes; {@code shareBp} for referral programmes, {@code discountBp} for resellers. */
    public record NewPartner(String name, String contactEmail, List<String> regions, String programme, Integer shareBp,
            Integer discountBp) {
    }

    /** A credential just created: the secret is in {@code created} this once. */
    public record IssuedCredential(PartnerCredential credential, String secret) {
    }

    @Inject
    TenancyConfig config;
    @Inject
    TenantSession session;
    @Inject
    Access access;
    @Inject
    PartnerClients clients;
    @Inject
    TenantService tenants;
    @Inject
    Outbox outbox;

    @Transactional
    public Partner create(Caller caller, NewPartner request) {
        requireOperator(caller, "create partners");
        var unknown = new TreeSet<>(request.regions());
        unknown.removeAll(config.regions().keySet());
        if (!unknown.isEmpty()) {
            throw ApiException.invalidField("regions", "unknown region(s) " + String.join(", ", unknown) + "; use"
                    + " any of " + String.join(", ", new TreeSet<>(config.regions().keySet())));
        }
        String programme = request.programme().toLowerCase(Locale.ROOT);
        if (programme.equals(Partner.REFERRAL) && (request.shareBp() == null || request.discountBp() != null)) {
            throw ApiException.invalidField("share_bp", "a referral partner takes a revenue share (share_bp, basis"
                    + " points: 1500 is 15 %) and no discount_bp");
        }
        if (programme.equals(Partner.RESELLER) && (request.discountBp() == null || request.shareBp() != null)) {
            throw ApiException.invalidField("discount_bp", "a reseller takes a wholesale discount (discount_bp, basis"
                    + " points: 2000 is 20 %) and no share_bp");
        }
        session.bindOperator();
        var p = new Partner();
        p.id = UUID.randomUUID();
        p.name = request.name().strip();
        p.contactEmail = request.contactEmail().strip();
        p.regions = new TreeSet<>(request.regions()).toArray(String[]::new);
        p.programme = programme;
        p.shareBp = request.shareBp();
        p.discountBp = request.discountBp();
        p.createdBy = caller.userId();
        p.createdAt = StoredTime.now();
        p.persist();
        return p;
    }

    @Transactional
    public List<Partner> list(Caller caller) {
        requireOperator(caller, "list partners");
        session.bindOperator();
        return Partner.list("order by createdAt");
    }

    @Transactional
    public Partner get(Caller caller, UUID partnerId) {
        return visible(caller, partnerId);
    }

    /**
     * Creates a credential: first the Keycloak client (nothing is stored if that fails), then its row; if the row
     * cannot be stored the client is deleted again, so no credential exists that Meridian does not know.
     */
    public IssuedCredential createCredential(Caller caller, UUID partnerId, String name) {
        QuarkusTransaction.requiringNew().run(() -> visible(caller, partnerId));
        UUID id = UUID.randomUUID();
        var created = clients.create(partnerId, id, name.strip());
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                visible(caller, partnerId);
                var c = new PartnerCredential();
                c.id = id;
                c.partnerId = partnerId;
                c.name = name.strip();
                c.clientId = created.clientId();
                c.subject = created.subject();
                c.createdBy = caller.userId();
                c.createdAt = StoredTime.now();
                c.persist();
                return new IssuedCredential(c, created.secret());
            });
        } catch (RuntimeException e) {
            clients.delete(created.clientId());
            throw e;
        }
    }

    @Transactional
    public List<PartnerCredential> credentials(Caller caller, UUID partnerId) {
        visible(caller, partnerId);
        return PartnerCredential.list("partnerId = ?1 order by createdAt", partnerId);
    }

    /**
     * Revokes at once: tenancy refuses the credential's tokens from this commit on (each partner call checks), and the
     * Keycloak client is deleted so that no new token can be had.
     */
    public PartnerCredential revokeCredential(Caller caller, UUID partnerId, UUID credentialId) {
        PartnerCredential revoked = QuarkusTransaction.requiringNew().call(() -> {
            visible(caller, partnerId);
            PartnerCredential c = PartnerCredential.<PartnerCredential>find("id = ?1 and partnerId = ?2",
                    credentialId, partnerId).firstResultOptional().orElseThrow(() -> ApiException.notFound(
                            "No credential " + credentialId + " of partner " + partnerId + "."));
            if (c.revokedAt == null) {
                c.revokedAt = StoredTime.now();
                // gateways cache a partner's calls per tenant (/v1 with its token): they drop them within a second
                for (Tenant t : tenants.ownedBy(partnerId)) {
                    outbox.tenancyChange(TenancyChange.PARTNER_CREDENTIAL_REVOKED, t.id, c.id, null);
                }
            }
            return c;
        });
        clients.delete(revoked.clientId);
        return revoked;
    }

    @Transactional
    public TenantService.Membership createTenant(Caller caller, UUID partnerId, String name, String homeRegion,
            String plan) {
        return tenants.createForPartner(caller, visible(caller, partnerId), name, homeRegion, plan);
    }

    @Transactional
    public List<Tenant> tenants(Caller caller, UUID partnerId) {
        visible(caller, partnerId);
        return tenants.ownedBy(partnerId);
    }

    /** The partner, if the caller is an operator or holds a current credential of it; else 404 (or 401 if revoked). */
    private Partner visible(Caller caller, UUID partnerId) {
        if (caller.platformAdmin()) {
            session.bindOperator();
        } else if (!caller.isPartner() || !access.activePartner(caller).equals(partnerId)) {
            throw notFound(partnerId);
        }
        return Partner.<Partner>findByIdOptional(partnerId).orElseThrow(() -> notFound(partnerId));
    }

    private static void requireOperator(Caller caller, String what) {
        if (!caller.platformAdmin()) {
            throw ApiException.forbidden("Only Meridian operators (realm role platform-admin) may " + what + ".");
        }
    }

    private static ApiException notFound(UUID partnerId) {
        return ApiException.notFound("No partner " + partnerId + " that you may act for.");
    }
}
