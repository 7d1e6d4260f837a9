package dev.meridian.tenancy.members.rest;

import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.members.rest.MemberResource.MemberList;
import dev.meridian.tenancy.members.rest.MemberResource.MemberView;
import dev.meridian.tenancy.members.service.MemberService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Invitations addressed to the signed-in person, across tenants. */
@Path("/api/v1/invitations")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Members")
public class InvitationResource {

    @Inject
    SecurityIdentity identity;
    @Inject
    MemberService members;

    @GET
        @Operation(summary = "Pending invitations for the caller's e-mail address")
    public MemberList invitations() {
        return new MemberList("list", members.invitations(Caller.of(identity)).stream().map(MemberView::of).toList());
    }

    @POST
    @Path("/{memberId}/accept")
    @Operation(summary = "Accept an invitation: the caller becomes an active member")
    public MemberView accept(@PathParam("memberId") UUID memberId) {
        return MemberView.of(members.accept(Caller.of(identity), memberId));
    }

}
