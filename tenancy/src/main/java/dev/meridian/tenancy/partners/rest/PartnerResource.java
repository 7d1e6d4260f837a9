package dev.meridian.tenancy.partners.rest;

import dev.meridian.tenancy.Partner;
import dev.meridian.tenancy.PartnerCredential;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.partners.service.PartnerService;
import dev.meridian.tenancy.tenants.rest.TenantResource.CreateTenantRequest;
import dev.meridian.tenancy.tenants.rest.TenantResource.TenantList;
import dev.meridian.tenancy.tenants.rest.TenantResource.TenantView;
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
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
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
            @Min(0) @Max(10000) Integer discountBp) {
    }

    public record PartnerView(UUID id, String object, String name, String contactEmail, List<String> regions,
            String programme, Integer shareBp, Integer discountBp, Instant createdAt) {
        static PartnerView of(Partner p) {
            return new PartnerView(p.id, "partner", p.name, p.contactEmail, List.of(p.regions), p.programme,
                    p.shareBp, p.discountBp, p.createdAt);
        }
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
                r.regions(), r.programme(), r.shareBp(), r.discountBp()));
        return Response.status(201).entity(PartnerView.of(p)).build();
    }

    @GET
    @Operation(summary = "Every partner (operators)")
    public PartnerList list() {
        return new PartnerList("list", partners.list(Caller.of(identity)).stream().map(PartnerView::of).toList());
    }

    @GET
    @Path("/{partnerId}")
    @Operation(summary = "One partner (operators, or the partner's own credential)")
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
    @Operation(summary = "The tenants the partner owns, in every region")
    public TenantList tenants(@PathParam("partnerId") UUID partnerId) {
        return new TenantList("list", partners.tenants(Caller.of(identity), partnerId).stream()
                .map(t -> TenantView.of(t, "admin")).toList());
    }

    private CredentialView view(PartnerCredential c, String secret) {
        return new CredentialView(c.id, "partner.credential", c.name, c.clientId, secret,
                realmUrl + "/protocol/openid-connect/token", c.createdAt, c.revokedAt);
    }
}
