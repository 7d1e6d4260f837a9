package dev.meridian.tenancy.members.rest;

import dev.meridian.common.error.ApiException;
import dev.meridian.tenancy.Member;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.members.service.MemberService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/tenants/{tenantId}/members")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Members")
public class MemberResource {

    public record InviteRequest(@NotBlank @Email String email, @NotBlank String role) {
    }

    public record ChangeRoleRequest(@NotBlank String role) {
    }

    public record MemberView(UUID id, String object, UUID tenantId, String userId, String email, String role,
            String status, Instant createdAt) {
        static MemberView of(Member m) {
            return new MemberView(m.id, "member", m.tenantId, m.userId, m.email, m.role, m.status, m.createdAt);
        }
    }

    public record MemberList(String object, List<MemberView> data) {
    }

    @Inject
    SecurityIdentity identity;
    @Inject
    MemberService members;

    @GET
    @Operation(summary = "Members and pending invitations of the tenant")
    public MemberList list(@PathParam("tenantId") UUID tenantId) {
        return new MemberList("list", members.list(Caller.of(identity), tenantId).stream().map(MemberView::of).toList());
    }

    @POST
    @Operation(summary = "Invite someone by e-mail with a role (owners, admins)")
    public Response invite(@PathParam("tenantId") UUID tenantId, @Valid @NotNull InviteRequest request) {
        Member m = members.invite(Caller.of(identity), tenantId, request.email(), role(request.role()));
        return Response.status(201).entity(MemberView.of(m)).build();
    }

    @PATCH
    @Path("/{memberId}")
    @Operation(summary = "Change a member's role (owners, admins; only owners touch the owner role)")
    public MemberView changeRole(@PathParam("tenantId") UUID tenantId, @PathParam("memberId") UUID memberId,
            @Valid @NotNull ChangeRoleRequest request) {
        return MemberView.of(members.changeRole(Caller.of(identity), tenantId, memberId, role(request.role())));
    }

    @DELETE
    @Path("/{memberId}")
    @Operation(summary = "Remove a member or withdraw an invitation; the last owner cannot be removed")
    public Response remove(@PathParam("tenantId") UUID tenantId, @PathParam("memberId") UUID memberId) {
        members.remove(Caller.of(identity), tenantId, memberId);
        return Response.noContent().build();
    }

    static Role role(String name) {
        return Role.parse(name).orElseThrow(() -> ApiException.invalidField("role",
                "unknown role '" + name + "'; use one of " + Role.wireNames()));
    }
}
