package dev.meridian.tenancy.partners.rest;

import dev.meridian.tenancy.Partner;
import dev.meridian.tenancy.PartnerCredential;
import dev.meridian.tenancy.PartnerMember;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.audit.rest.AuditResource;
import dev.meridian.tenancy.partners.service.PartnerService;
import dev.meridian.tenancy.tenants.rest.TenantResource.CreateTenantRequest;
import dev.meridian.tenancy.tenants.rest.TenantResource.TenantView;
import dev.meridian.tenancy.tenants.service.TenantService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Partners: operators create them; a partner's credential (OAuth 2.0 client credentials against Meridian's Keycloak)
 * manages its own credentials and creates and lists the customer tenants it owns, then acts on them through the
 * ordinary tenant routes ({@code /api/v1/tenants/{id}/...}) as an admin would.
 */
@Path("/api/v1/partners")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Partners")
public class PartnerResource {

    public record CreatePartnerRequest(
            @NotBlank @Size(max = 200) String name,
            @NotBlank @Email String contactEmail,
            @NotEmpty List<@NotBlank String> regions,
            @NotNull @Pattern(regexp = "referral|reseller", message = "must be referral or reseller") String programme,
            @Min(0) @Max(10000) Integer shareBp,
            @Min(0) @Max(10000) Integer discountBp,
            List<@NotBlank String> plans,
            Map<String, Integer> shareBpByPlan,
            Map<String, Integer> shareBpByMeter) {
    }

    /**
     * A partner with its terms. {@code plans} is its price list; {@code role} the caller's partner role when they are
     * one of its people (absent for its credential and for operators).
     */
    public record PartnerView(UUID id, String object, String name, String contactEmail, List<String> regions,
            String programme, Integer shareBp, Integer discountBp, List<String> plans,
            Map<String, Integer> shareBpByPlan, Map<String, Integer> shareBpByMeter, String role, Instant createdAt) {
        public static PartnerView of(Partner p, String role) {
            return new PartnerView(p.id, "partner", p.name, p.contactEmail, List.of(p.regions), p.programme,
                    p.shareBp, p.discountBp, List.of(p.plans), p.shareBpByPlan, p.shareBpByMeter, role, p.createdAt);
        }

        static PartnerView of(PartnerService.Seat seat) {
            return of(seat.partner(), seat.memberRole());
        }
    }

    /** A tenant the partner reaches: {@code relationship} owned (it created it) or granted (delegated access). */
    public record PartnerTenantView(UUID id, String object, String name, String homeRegion, String plan,
            String status, boolean transitAllowed, Instant createdAt, String role, List<String> keyScopes,
            String relationship) {
        static PartnerTenantView of(TenantService.Reached r) {
            TenantView t = TenantView.of(r.tenant(), r.role().wireName());
            return new PartnerTenantView(t.id(), "tenant", t.name(), t.homeRegion(), t.plan(), t.status(),
                    t.transitAllowed(), t.createdAt(), t.role(), t.keyScopes(), r.owned() ? "owned" : "granted");
        }
    }

    public record PartnerTenantList(String object, List<PartnerTenantView> data) {
    }

    public record AddMemberRequest(@NotBlank @Email String email,
            @NotNull @Pattern(regexp = "partner-admin|partner-support", message = "must be partner-admin or"
                    + " partner-support") String role) {
    }

    public record MemberView(UUID id, String object, String userId, String email, String role, Instant createdAt) {
        static MemberView of(PartnerMember m) {
            return new MemberView(m.id, "partner.member", m.userId, m.email, m.role, m.createdAt);
        }
    }

    public record MemberList(String object, List<MemberView> data) {
    }

    public record PartnerList(String object, List<PartnerView> data) {
    }

    public record CreateCredentialRequest(@NotBlank @Size(max = 200) String name) {
    }

    /** A credential; {@code clientSecret} only in the answer that created it. */
    public record CredentialView(UUID id, String object, String name, String clientId, String clientSecret,
            String tokenUrl, Instant createdAt, Instant revokedAt) {
    }

    public record CredentialList(String object, List<CredentialView> data) {
    }

    @Inject
    SecurityIdentity identity;
    @Inject
    PartnerService partners;
    @ConfigProperty(name = "quarkus.oidc.auth-server-url")
    String realmUrl;

    @POST
    @Operation(summary = "Create a partner: name, contact, the regions it may sell in, its programme (operators)")
    public Response create(@Valid @NotNull CreatePartnerRequest r) {
        var p = partners.create(Caller.of(identity), new PartnerService.NewPartner(r.name(), r.contactEmail(),
                r.regions(), r.programme(), r.shareBp(), r.discountBp(), r.plans(), r.shareBpByPlan(),
                r.shareBpByMeter()));
        return Response.status(201).entity(PartnerView.of(p, null)).build();
    }

    @GET
    @Operation(summary = "The partners you may act for: every partner for operators, its own for a credential, those"
            + " you are a member of otherwise (with your partner role)")
    public PartnerList list() {
        return new PartnerList("list", partners.list(Caller.of(identity)).stream().map(PartnerView::of).toList());
    }

    @GET
    @Path("/{partnerId}")
    @Operation(summary = "One partner (operators, its credential, or its people)")
    public PartnerView get(@PathParam("partnerId") UUID partnerId) {
        return PartnerView.of(partners.get(Caller.of(identity), partnerId));
    }

    @POST
    @Path("/{partnerId}/credentials")
    @Operation(summary = "Create a client-credentials credential; the secret is shown in this answer only")
    public Response createCredential(@PathParam("partnerId") UUID partnerId,
            @Valid @NotNull CreateCredentialRequest r) {
        var issued = partners.createCredential(Caller.of(identity), partnerId, r.name());
        return Response.status(201).entity(view(issued.credential(), issued.secret())).build();
    }

    @GET
    @Path("/{partnerId}/credentials")
    @Operation(summary = "The partner's credentials (no secrets)")
    public CredentialList credentials(@PathParam("partnerId") UUID partnerId) {
        return new CredentialList("list", partners.credentials(Caller.of(identity), partnerId).stream()
                .map(c -> view(c, null)).toList());
    }

    @POST
    @Path("/{partnerId}/credentials/{credentialId}/rotate")
    @Operation(summary = "A new secret for the credential, shown in this answer only; the old secret gets no new token")
    public CredentialView rotate(@PathParam("partnerId") UUID partnerId,
            @PathParam("credentialId") UUID credentialId) {
        var issued = partners.rotateCredential(Caller.of(identity), partnerId, credentialId);
        return view(issued.credential(), issued.secret());
    }

    @POST
    @Path("/{partnerId}/credentials/{credentialId}/revoke")
    @Operation(summary = "Revoke a credential: its tokens are refused from now on, and no new one can be had")
    public CredentialView revoke(@PathParam("partnerId") UUID partnerId,
            @PathParam("credentialId") UUID credentialId) {
        return view(partners.revokeCredential(Caller.of(identity), partnerId, credentialId), null);
    }

    @POST
    @Path("/{partnerId}/tenants")
    @Operation(summary = "Create a customer tenant the partner owns, in a region the partner may sell in")
    public Response createTenant(@PathParam("partnerId") UUID partnerId, @Valid @NotNull CreateTenantRequest r) {
        var created = partners.createTenant(Caller.of(identity), partnerId, r.name(), r.homeRegion(), r.plan());
        return Response.status(201).entity(TenantView.of(created)).build();
    }

    @GET
    @Path("/{partnerId}/tenants")
    @Operation(summary = "The tenants the partner owns or was granted, in every region")
    public PartnerTenantList tenants(@PathParam("partnerId") UUID partnerId) {
        return new PartnerTenantList("list", partners.tenants(Caller.of(identity), partnerId).stream()
                .map(PartnerTenantView::of).toList());
    }

    @GET
    @Path("/{partnerId}/members")
    @Operation(summary = "The partner's people and their partner roles")
    public MemberList members(@PathParam("partnerId") UUID partnerId) {
        return new MemberList("list", partners.members(Caller.of(identity), partnerId).stream().map(MemberView::of)
                .toList());
    }

    @POST
    @Path("/{partnerId}/members")
    @Operation(summary = "Make an existing Meridian user (by e-mail) one of the partner's people (partner-admin)")
    public Response addMember(@PathParam("partnerId") UUID partnerId, @Valid @NotNull AddMemberRequest r) {
        var m = partners.addMember(Caller.of(identity), partnerId, r.email(), r.role());
        return Response.status(201).entity(MemberView.of(m)).build();
    }

    @DELETE
    @Path("/{partnerId}/members/{memberId}")
    @Operation(summary = "Remove one of the partner's people (partner-admin)")
    public Response removeMember(@PathParam("partnerId") UUID partnerId, @PathParam("memberId") UUID memberId) {
        partners.removeMember(Caller.of(identity), partnerId, memberId);
        return Response.noContent().build();
    }

    @GET
    @Path("/{partnerId}/audit-events")
    @Operation(summary = "What was done for the partner across its tenants, newest first")
    public AuditResource.AuditPage audit(@PathParam("partnerId") UUID partnerId,
            @Parameter(description = "Page size, 1 to 200 (default 50)") @QueryParam("limit") String limit,
            @Parameter(description = "The next_before of the previous page, or an ISO-8601 time")
            @QueryParam("before") String before) {
        var page = partners.audit(Caller.of(identity), partnerId, limit, before);
        return new AuditResource.AuditPage("list", page.events().stream().map(AuditResource.AuditEventView::of)
                .toList(), page.hasMore(), page.nextBefore());
    }

    private CredentialView view(PartnerCredential c, String secret) {
        return new CredentialView(c.id, "partner.credential", c.name, c.clientId, secret,
                realmUrl + "/protocol/openid-connect/token", c.createdAt, c.revokedAt);
    }
}
