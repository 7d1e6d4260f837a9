package dev.meridian.console.web;

import dev.meridian.console.api.MeridianApi;
import dev.meridian.console.api.MeridianApi.Region;
import dev.meridian.console.api.PartnerApi;
import dev.meridian.console.api.PartnerApi.Partner;
import dev.meridian.console.api.PartnerApi.PartnerAuditPage;
import dev.meridian.console.api.PartnerApi.PartnerMember;
import dev.meridian.console.api.PartnerApi.PartnerTenant;
import dev.meridian.console.api.PartnerApi.Statement;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * The partner area, for the people of a reseller or integrator (partner members, {@code partner-admin} or
 * {@code partner-support}): the partner at a glance with the tenants it owns or was granted in every region and their
 * usage this month, a customer tenant created in one of its regions, its members, its statements and its audit trail.
 * Everything is what the partner API answers the signed-in user: a partner they are not a member of is the API's 404
 * and so the not-found page. (Rooted at "/" like the other page resources, see {@link BillingPages}.)
 */
@Path("/")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class PartnerPages extends PageSupport {

    static final int AUDIT_PAGE = 50;

    @Inject
    @RestClient
    PartnerApi partners;

    /** A tenant of the partner's with its usage this month. */
    public record TenantRow(PartnerTenant tenant, PartnerUsage usage) {
    }

    @CheckedTemplate
    static class Templates {

        static native TemplateInstance partners(List<Partner> partners);

        static native TemplateInstance partner(Partner partner, Paged<TenantRow> tenants, List<Region> regions,
                String error);

        static native TemplateInstance partnerMembers(Partner partner, List<PartnerMember> members,
                List<String> roles, String error);

        static native TemplateInstance statements(Partner partner, List<Statement> statements, String refusal);

        static native TemplateInstance statement(Partner partner, Statement statement);

        static native TemplateInstance partnerAudit(Partner partner, PartnerAuditPage page,
                Map<UUID, PartnerTenant> tenants, String refusal);
    }

    /** The partners the user is a member of; a member of one goes straight to it; nobody else has a partner area. */
    @GET
    @Path("partners")
    public Response partners() {
        List<Partner> mine = partners.partners().data();
        if (mine == null || mine.isEmpty()) {
            return page(ConsolePages.Templates.notFound(), 404);
        }
        if (mine.size() == 1) {
            return Response.seeOther(URI.create("/partners/" + mine.getFirst().id())).build();
        }
        return page(Templates.partners(mine.stream().sorted(Comparator.comparing(Partner::name)).toList()), 200);
    }

    /** The partner at a glance and its tenants in every region, with their usage this month; 50 a page. */
    @GET
    @Path("partners/{p}")
    public Response partner(@PathParam("p") UUID partner, @QueryParam("page") @DefaultValue("1") int page) {
        return guarded(() -> partnerPage(partner, page, null), 200);
    }

    /** A customer tenant the partner owns, in one of its regions on one of its plans; the API's refusal in its words. */
    @POST
    @Path("partners/{p}/tenants")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response createTenant(@PathParam("p") UUID partner, @FormParam("name") String name,
            @FormParam("home_region") String region, @FormParam("plan") String plan) {
        try {
            MeridianApi.Tenant created = partners.createTenant(partner, new MeridianApi.NewTenant(name, region, plan));
            return Response.seeOther(URI.create("/partners/" + partner + "#tenant-" + created.id())).build();
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 404) {
                return page(ConsolePages.Templates.notFound(), 404);
            }
            if (status >= 500) {
                throw e;
            }
            String detail = ApiProblem.detail(e);
            return guarded(() -> partnerPage(partner, 1, detail), status);
        }
    }

    /**
     * The page's reads go out at once: the partner, its tenants and the regions directory; then, for the tenants on
     * this page, each one's usage this month from billing, all at once again.
     */
    private TemplateInstance partnerPage(UUID partner, int page, String error) {
        CompletableFuture<Partner> partnerRead = read(() -> partners.partner(partner));
        CompletableFuture<List<PartnerTenant>> tenantsRead = read(() -> partners.tenants(partner).data());
        CompletableFuture<List<Region>> regionsRead = read(() -> api.regions().data());
        Partner p = joined(partnerRead);
        List<PartnerTenant> tenants = joined(tenantsRead).stream()
                .sorted(Comparator.comparing(PartnerTenant::name, String.CASE_INSENSITIVE_ORDER)
                        .thenComparing(PartnerTenant::homeRegion))
                .toList();
        Paged<PartnerTenant> shown = Paged.of(tenants, page);
        List<CompletableFuture<PartnerUsage>> usageReads = shown.items().stream()
                .map(t -> read(() -> usageOf(t.id()))).toList();
        List<TenantRow> rows = new ArrayList<>();
        for (int i = 0; i < shown.items().size(); i++) {
            rows.add(new TenantRow(shown.items().get(i), joined(usageReads.get(i))));
        }
        List<String> sellsIn = p.regions() == null ? List.of() : p.regions();
        List<Region> regions = joined(regionsRead).stream().filter(r -> sellsIn.contains(r.id())).toList();
        return Templates.partner(p, new Paged<>(rows, shown.page(), shown.pages(), shown.total()), regions, error);
    }

    /** One tenant's usage this month; a refusal or an outage of billing is shown in that tenant's row only. */
    private PartnerUsage usageOf(UUID tenant) {
        try {
            return PartnerUsage.of(api.usage(tenant, null));
        } catch (WebApplicationException e) {
            return PartnerUsage.unavailable(ApiProblem.detail(e));
        } catch (ProcessingException e) {
            return PartnerUsage.unavailable(e.getMessage());
        }
    }

    @GET
    @Path("partners/{p}/members")
    public Response members(@PathParam("p") UUID partner) {
        return guarded(() -> membersPage(partner, null), 200);
    }

    /** Adds a person who already has a Meridian sign-in as a partner member (partner-admins and operators). */
    @POST
    @Path("partners/{p}/members")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response addMember(@PathParam("p") UUID partner, @FormParam("email") String email,
            @FormParam("role") String role) {
        return act(partner, () -> {
            partners.addMember(partner, new PartnerApi.NewPartnerMember(email, role));
            return membersPage(partner, null);
        }, error -> membersPage(partner, error));
    }

    @POST
    @Path("partners/{p}/members/{m}/remove")
    public Response removeMember(@PathParam("p") UUID partner, @PathParam("m") UUID member) {
        return act(partner, () -> {
            partners.removeMember(partner, member);
            return membersPage(partner, null);
        }, error -> membersPage(partner, error));
    }

    private TemplateInstance membersPage(UUID partner, String error) {
        var partnerRead = read(() -> partners.partner(partner));
        var membersRead = read(() -> partners.members(partner).data());
        Partner p = joined(partnerRead);
        return Templates.partnerMembers(p, joined(membersRead).stream()
                .sorted(Comparator.comparing(PartnerMember::email, String.CASE_INSENSITIVE_ORDER)).toList(),
                PartnerApi.ROLES, error);
    }

    /** The partner's closed statements, newest first, each as a page and as billing's PDF. */
    @GET
    @Path("partners/{p}/statements")
    public Response statements(@PathParam("p") UUID partner) {
        return guarded(() -> {
            var partnerRead = read(() -> partners.partner(partner));
            var statementsRead = read(() -> ifAllowed(() -> partners.statements(partner).data()));
            Partner p = joined(partnerRead);
            var statements = joined(statementsRead);
            List<Statement> list = statements.value() == null ? List.of() : statements.value().stream()
                    .sorted(Comparator.comparing(Statement::periodStart).reversed()
                            .thenComparing(Statement::currency))
                    .toList();
            return Templates.statements(p, list, statements.refusal());
        }, 200);
    }

    @GET
    @Path("partners/{p}/statements/{id}")
    public Response statement(@PathParam("p") UUID partner, @PathParam("id") String id) {
        return guarded(() -> {
            var partnerRead = read(() -> partners.partner(partner));
            var statementRead = read(() -> partners.statement(partner, statementId(id)));
            return Templates.statement(joined(partnerRead), joined(statementRead));
        }, 200);
    }

    /** A statement as the PDF billing renders, through the console (the browser holds no token). */
    @GET
    @Path("partners/{p}/statements/{id}.pdf")
    @Produces("application/pdf")
    public Response statementPdf(@PathParam("p") UUID partner, @PathParam("id") String id) {
        try {
            byte[] pdf = partners.statementPdf(partner, statementId(id));
            return Response.ok(pdf).header("Content-Disposition",
                    "attachment; filename=\"statement-" + id + ".pdf\"").build();
        } catch (WebApplicationException e) {
            return page(ConsolePages.Templates.notFound(), 404);
        }
    }

    /** The partner's actions across its tenants, newest first, 50 a page with a link to older ones. */
    @GET
    @Path("partners/{p}/audit")
    public Response audit(@PathParam("p") UUID partner, @QueryParam("before") String before) {
        return guarded(() -> {
            var partnerRead = read(() -> partners.partner(partner));
            var tenantsRead = read(() -> partners.tenants(partner).data());
            var auditRead = read(() -> ifAllowed(() -> partners.audit(partner, AUDIT_PAGE, before)));
            Partner p = joined(partnerRead);
            Map<UUID, PartnerTenant> tenants = new HashMap<>();
            joined(tenantsRead).forEach(t -> tenants.put(t.id(), t));
            var audit = joined(auditRead);
            return Templates.partnerAudit(p, audit.value(), tenants, audit.refusal());
        }, 200);
    }

    /** A statement id from a URL; anything else is the not-found page (404), like another partner's statement. */
    private static UUID statementId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new WebApplicationException(404);
        }
    }
}
