package dev.meridian.tenancy.partners.service;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.tenancy.Partner;
import dev.meridian.tenancy.PartnerCredential;
import dev.meridian.tenancy.PartnerMember;
import dev.meridian.tenancy.StoredTime;
import dev.meridian.tenancy.Tenant;
import dev.meridian.tenancy.access.Access;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.access.PartnerReach;
import dev.meridian.tenancy.audit.service.AuditLog;
import dev.meridian.tenancy.config.TenancyConfig;
import dev.meridian.tenancy.outbox.Outbox;
import dev.meridian.tenancy.tenants.service.TenantService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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
            Integer discountBp, List<String> plans, Map<String, Integer> shareBpByPlan,
            Map<String, Integer> shareBpByMeter) {
    }

    /**
     * The caller's seat at a partner: {@code operator}, {@code credential} (the partner's own machine identity), or the
     * partner role of one of its people ({@code partner-admin}, {@code partner-support}).
     */
    public record Seat(Partner partner, String role) {
        public static final String OPERATOR = "operator";
        public static final String CREDENTIAL = "credential";

        /** Whether the seat may change the partner's things: its tenants, credentials and members. */
        public boolean manages() {
            return !PartnerMember.SUPPORT.equals(role);
        }

        /** The partner role of a member, else null. */
        public String memberRole() {
            return role.startsWith("partner-") ? role : null;
        }
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
    @Inject
    PartnerReach reach;
    @Inject
    AuditLog audit;

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
        var plans = new TreeSet<>(request.plans() == null || request.plans().isEmpty() ? config.plans().keySet()
                : request.plans());
        var unknownPlans = new TreeSet<>(plans);
        unknownPlans.removeAll(config.plans().keySet());
        if (!unknownPlans.isEmpty()) {
            throw ApiException.invalidField("plans", "unknown plan(s) " + String.join(", ", unknownPlans) + "; use any"
                    + " of " + String.join(", ", new TreeSet<>(config.plans().keySet())));
        }
        Map<String, Integer> byPlan = request.shareBpByPlan() == null ? Map.of() : request.shareBpByPlan();
        Map<String, Integer> byMeter = request.shareBpByMeter() == null ? Map.of() : request.shareBpByMeter();
        if (!programme.equals(Partner.REFERRAL) && (!byPlan.isEmpty() || !byMeter.isEmpty())) {
            throw ApiException.invalidField("share_bp_by_plan", "shares per plan or meter are for referral partners;"
                    + " a reseller takes discount_bp only");
        }
        for (var e : byPlan.entrySet()) {
            if (!plans.contains(e.getKey())) {
                throw ApiException.invalidField("share_bp_by_plan", "'" + e.getKey() + "' is not in the partner's"
                        + " plans (" + String.join(", ", plans) + ")");
            }
            requireBasisPoints("share_bp_by_plan", e.getKey(), e.getValue());
        }
        for (var e : byMeter.entrySet()) {
            if (Meter.fromWireName(e.getKey()).isEmpty()) {
                throw ApiException.invalidField("share_bp_by_meter", "unknown meter '" + e.getKey() + "'; use any of "
                        + String.join(", ", Arrays.stream(Meter.values()).map(Meter::wireName).toList()));
            }
            requireBasisPoints("share_bp_by_meter", e.getKey(), e.getValue());
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
        p.plans = plans.toArray(String[]::new);
        p.shareBpByPlan = new TreeMap<>(byPlan);
        p.shareBpByMeter = new TreeMap<>(byMeter);
        p.createdBy = caller.userId();
        p.createdAt = StoredTime.now();
        p.persist();
        return p;
    }

    /**
     * The partners the caller may act for: every partner for an operator, its own for a credential, and for anyone
     * else those they are a member of (none for most users).
     */
    @Transactional
    public List<Seat> list(Caller caller) {
        if (caller.platformAdmin()) {
            session.bindOperator();
            return Partner.<Partner>list("order by createdAt").stream().map(p -> new Seat(p, Seat.OPERATOR)).toList();
        }
        if (caller.isPartner()) {
            return List.of(visible(caller, access.activePartner(caller)));
        }
        return reach.memberships(caller.userId()).stream().map(m -> {
            session.bindPartner(m.partnerId);
            return Partner.<Partner>findByIdOptional(m.partnerId).map(p -> new Seat(p, m.role));
        }).flatMap(Optional::stream).toList();
    }

    @Transactional
    public Seat get(Caller caller, UUID partnerId) {
        return visible(caller, partnerId);
    }

    /**
     * Creates a credential: first the Keycloak client (nothing is stored if that fails), then its row; if the row
     * cannot be stored the client is deleted again, so no credential exists that Meridian does not know.
     */
    public IssuedCredential createCredential(Caller caller, UUID partnerId, String name) {
        QuarkusTransaction.requiringNew().run(() -> managed(caller, partnerId));
        UUID id = UUID.randomUUID();
        var created = clients.create(partnerId, id, name.strip());
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                managed(caller, partnerId);
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

    /** The partner's credential, or 404 saying so. */
    private static PartnerCredential credential(UUID partnerId, UUID credentialId) {
        return PartnerCredential.<PartnerCredential>find("id = ?1 and partnerId = ?2", credentialId, partnerId)
                .firstResultOptional().orElseThrow(() -> ApiException.notFound("No credential " + credentialId
                        + " of partner " + partnerId + "."));
    }

    /**
     * A new secret for a current credential, shown once; the client id, and so the credential's tokens and history,
     * stay the same. A revoked credential cannot be rotated (409): create a new one.
     */
    public IssuedCredential rotateCredential(Caller caller, UUID partnerId, UUID credentialId) {
        PartnerCredential c = QuarkusTransaction.requiringNew().call(() -> {
            managed(caller, partnerId);
            PartnerCredential found = credential(partnerId, credentialId);
            if (found.revokedAt != null) {
                throw ApiException.conflict("Credential " + credentialId + " is revoked; create a new credential"
                        + " instead of rotating it.");
            }
            return found;
        });
        return new IssuedCredential(c, clients.rotateSecret(c.clientId));
    }

    /**
     * Revokes at once: tenancy refuses the credential's tokens from this commit on (each partner call checks), and the
     * Keycloak client is deleted so that no new token can be had.
     */
    public PartnerCredential revokeCredential(Caller caller, UUID partnerId, UUID credentialId) {
        PartnerCredential revoked = QuarkusTransaction.requiringNew().call(() -> {
            managed(caller, partnerId);
            PartnerCredential c = credential(partnerId, credentialId);
            if (c.revokedAt == null) {
                c.revokedAt = StoredTime.now();
                // gateways cache a partner's calls per tenant (/v1 with its token): they drop them within a second
                for (var t : tenants.reachedBy(partnerId, null)) {
                    outbox.tenancyChange(TenancyChange.PARTNER_CREDENTIAL_REVOKED, t.tenant().id, c.id, null);
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
        return tenants.createForPartner(caller, managed(caller, partnerId).partner(), name, homeRegion, plan);
    }

    /** The tenants the partner owns or was granted, in every region, with the role the caller acts with there. */
    @Transactional
    public List<TenantService.Reached> tenants(Caller caller, UUID partnerId) {
        Seat seat = visible(caller, partnerId);
        return tenants.reachedBy(partnerId, seat.memberRole());
    }

    @Transactional
    public List<PartnerMember> members(Caller caller, UUID partnerId) {
        visible(caller, partnerId);
        return PartnerMember.list("partnerId = ?1 order by createdAt", partnerId);
    }

    /**
     * Makes an existing Meridian user (by e-mail, as Keycloak knows them) one of the partner's people. Idempotent for
     * the same role; a different role for someone already a member is a 409 (remove them first).
     */
    public PartnerMember addMember(Caller caller, UUID partnerId, String email, String role) {
        QuarkusTransaction.requiringNew().run(() -> managed(caller, partnerId));
        String wanted = role.strip().toLowerCase(Locale.ROOT);
        if (!wanted.equals(PartnerMember.ADMIN) && !wanted.equals(PartnerMember.SUPPORT)) {
            throw ApiException.invalidField("role", "must be partner-admin or partner-support");
        }
        var user = clients.userByEmail(email.strip()).orElseThrow(() -> ApiException.invalidField("email",
                "no Meridian user has the e-mail " + email.strip() + "; ask them to sign up first, then add them"));
        return QuarkusTransaction.requiringNew().call(() -> {
            managed(caller, partnerId);
            var existing = PartnerMember.<PartnerMember>find("partnerId = ?1 and userId = ?2", partnerId, user.id())
                    .firstResultOptional();
            if (existing.isPresent()) {
                if (existing.get().role.equals(wanted)) {
                    return existing.get();
                }
                throw ApiException.conflict(user.email() + " is already a " + existing.get().role
                        + " of this partner; remove them first to give them another role.");
            }
            var m = new PartnerMember();
            m.id = UUID.randomUUID();
            m.partnerId = partnerId;
            m.userId = user.id();
            m.email = user.email();
            m.role = wanted;
            m.addedBy = caller.userId();
            m.createdAt = StoredTime.now();
            m.persist();
            return m;
        });
    }

    /** Removes one of the partner's people; gateways drop their cached calls on its tenants within a second. */
    @Transactional
    public void removeMember(Caller caller, UUID partnerId, UUID memberId) {
        managed(caller, partnerId);
        PartnerMember m = PartnerMember.<PartnerMember>find("id = ?1 and partnerId = ?2", memberId, partnerId)
                .firstResultOptional().orElseThrow(() -> ApiException.notFound("No member " + memberId
                        + " of partner " + partnerId + "."));
        m.delete();
        for (var t : tenants.reachedBy(partnerId, null)) {
            outbox.tenancyChange(TenancyChange.PARTNER_MEMBER_REMOVED, t.tenant().id, m.id, null);
        }
    }

    /** A page of what was done for the partner across its tenants, newest first. */
    @Transactional
    public AuditLog.Page audit(Caller caller, UUID partnerId, String limit, String before) {
        visible(caller, partnerId);
        session.bindPartner(partnerId); // operators too: the partner's events are admitted by its id
        return audit.partnerPage(partnerId, limit, before);
    }

    /** A partner and the tenants it owns. */
    public record Owner(Partner partner, List<Tenant> tenants) {
    }

    /** Every partner with its terms and the tenants it owns, for billing's statements (service callers only). */
    @Transactional
    public List<Owner> allForBilling() {
        session.bindOperator();
        List<Partner> all = Partner.list("order by createdAt");
        Map<UUID, List<Tenant>> owned = new java.util.HashMap<>();
        // operators see every partner, but tenants only through their own policies: bind each partner in turn
        for (Partner p : all) {
            owned.put(p.id, tenants.ownedBy(p.id));
        }
        return all.stream().map(p -> new Owner(p, owned.get(p.id))).toList();
    }

    /**
     * The caller's seat at the partner: an operator, a current credential of it, or one of its people; else 404 (401
     * for a revoked credential).
     */
    private Seat visible(Caller caller, UUID partnerId) {
        String role;
        if (caller.platformAdmin()) {
            session.bindOperator();
            role = Seat.OPERATOR;
        } else if (caller.isPartner()) {
            if (!access.activePartner(caller).equals(partnerId)) {
                throw notFound(partnerId);
            }
            role = Seat.CREDENTIAL;
        } else {
            role = reach.memberships(caller.userId()).stream().filter(m -> m.partnerId.equals(partnerId))
                    .map(m -> m.role).findFirst().orElseThrow(() -> notFound(partnerId));
            session.bindPartner(partnerId);
        }
        Partner p = Partner.<Partner>findByIdOptional(partnerId).orElseThrow(() -> notFound(partnerId));
        return new Seat(p, role);
    }

    /** As {@link #visible}, and the seat may change the partner's things (403 for partner-support). */
    private Seat managed(Caller caller, UUID partnerId) {
        Seat seat = visible(caller, partnerId);
        if (!seat.manages()) {
            throw ApiException.forbidden("Your role at this partner is partner-support, which reads only; this needs"
                    + " partner-admin. Ask an administrator of the partner.");
        }
        return seat;
    }

    private static void requireBasisPoints(String field, String key, Integer value) {
        if (value == null || value < 0 || value > 10000) {
            throw ApiException.invalidField(field, "the share for '" + key + "' must be 0 to 10000 basis points"
                    + " (1500 is 15 %)");
        }
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
