package dev.meridian.console.web;

import dev.meridian.console.api.MeridianApi.CreatedKey;
import dev.meridian.console.api.MeridianApi.Key;
import dev.meridian.console.api.MeridianApi.Member;
import dev.meridian.console.api.MeridianApi.Region;
import dev.meridian.console.api.MeridianApi.Tenant;
import dev.meridian.console.api.MeridianApi;
import dev.meridian.console.api.OpenAiApi;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The console's pages. Each renders what the management API answers the signed-in user (their own token, through
 * the gateway), so the console never knows more or may do more than the user; a refusal is shown as the API words it,
 * next to the form that caused it, with the API's status; another tenant's id is the not-found page.
 */
@Path("/")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class ConsolePages extends PageSupport {

    static final List<String> SELF_SERVICE_PLANS = List.of("free", "payg", "subscription");
    static final List<String> ROLES = List.of("owner", "admin", "developer", "billing", "viewer");
    static final int AUDIT_PAGE = 50;

    @CheckedTemplate
    static class Templates {

        static native TemplateInstance tenants(List<Tenant> tenants, List<Region> regions, List<String> plans,
                String error);

        static native TemplateInstance keys(Tenant tenant, Paged<Key> keys, CreatedKey created, String error);

        static native TemplateInstance members(Tenant tenant, Paged<Member> members, List<String> roles,
                String error);

        static native TemplateInstance notFound();

        static native TemplateInstance overview(Tenant tenant, UsageDays usage, MeridianApi.Budgets budgets,
                String billingRefusal, List<Key> keysInUse, int activeKeys, int members,
                List<OpenAiApi.Job> recentJobs);

        static native TemplateInstance audit(Tenant tenant, MeridianApi.AuditPage page, String action, String actor,
                String error);
    }


    @GET
    public Response home() {
        return Response.seeOther(URI.create("/tenants")).build();
    }

    @GET
    @Path("tenants")
    public Response tenants() {
        return page(tenantsPage(null), 200);
    }

    @POST
    @Path("tenants")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response createTenant(@FormParam("name") String name, @FormParam("home_region") String region,
            @FormParam("plan") String plan) {
        try {
            Tenant created = api.createTenant(new MeridianApi.NewTenant(name, region, plan));
            return Response.seeOther(URI.create("/tenants/" + created.id() + "/keys")).build();
        } catch (WebApplicationException e) {
            return page(tenantsPage(ApiProblem.detail(e)), e.getResponse().getStatus());
        }
    }

    private TemplateInstance tenantsPage(String error) {
        return Templates.tenants(api.tenants().data(), api.regions().data(), SELF_SERVICE_PLANS, error);
    }

    /**
     * A tenant at a glance: this month's usage (chart) and spend against its budgets, where the user may read billing,
     * the active keys most recently used, and how many members it has.
     */
    @GET
    @Path("tenants/{t}")
    public Response overview(@PathParam("t") UUID tenant) {
        return guarded(() -> {
            var tenantRead = read(() -> api.tenant(tenant));
            var usageRead = read(() -> ifAllowed(() -> UsageDays.of(api.usage(tenant, "day"))));
            var budgetsRead = read(() -> ifAllowed(() -> api.budgets(tenant)));
            var jobsRead = read(() -> ifAllowed(() -> openai.jobs(tenant, 5, null).data()));
            var keysRead = read(() -> api.keys(tenant).data());
            var membersRead = read(() -> api.members(tenant).data());
            Tenant t = joined(tenantRead);
            var usage = joined(usageRead);
            var budgets = joined(budgetsRead);
            List<Key> keys = joined(keysRead);
            List<Key> inUse = keys.stream().filter(Key::active).filter(k -> k.lastUsedAt() != null)
                    .sorted(Comparator.comparing(Key::lastUsedAt).reversed()).limit(10).toList();
            int active = (int) keys.stream().filter(Key::active).count();
            var jobs = joined(jobsRead);
            return Templates.overview(t, usage.value(), budgets.value(),
                    usage.refusal() != null ? usage.refusal() : budgets.refusal(), inUse, active,
                    joined(membersRead).size(), jobs.value() == null ? List.of() : jobs.value());
        }, 200);
    }

    @GET
    @Path("tenants/{t}/keys")
    public Response keys(@PathParam("t") UUID tenant, @QueryParam("page") @DefaultValue("1") int page) {
        return guarded(() -> keysPage(tenant, page, null, null), 200);
    }

    @POST
    @Path("tenants/{t}/keys")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response createKey(@PathParam("t") UUID tenant, @FormParam("name") String name,
            @FormParam("scopes") List<String> scopes) {
        return act(tenant, () -> keysPage(tenant, 1, api.createKey(tenant, new MeridianApi.NewKey(name, scopes)), null),
                error -> keysPage(tenant, 1, null, error));
    }

    @POST
    @Path("tenants/{t}/keys/{k}/revoke")
    public Response revokeKey(@PathParam("t") UUID tenant, @PathParam("k") UUID key) {
        return act(tenant, () -> {
            api.revokeKey(tenant, key);
            return keysPage(tenant, 1, null, null);
        }, error -> keysPage(tenant, 1, null, error));
    }

    @POST
    @Path("tenants/{t}/keys/{k}/rotate")
    public Response rotateKey(@PathParam("t") UUID tenant, @PathParam("k") UUID key) {
        return act(tenant, () -> keysPage(tenant, 1, api.rotateKey(tenant, key, Map.of()), null),
                error -> keysPage(tenant, 1, null, error));
    }

    private TemplateInstance keysPage(UUID tenant, int page, CreatedKey created, String error) {
        return Templates.keys(api.tenant(tenant), Paged.of(api.keys(tenant).data(), page), created, error);
    }

    @GET
    @Path("tenants/{t}/members")
    public Response members(@PathParam("t") UUID tenant, @QueryParam("page") @DefaultValue("1") int page) {
        return guarded(() -> membersPage(tenant, page, null), 200);
    }

    @POST
    @Path("tenants/{t}/members")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response invite(@PathParam("t") UUID tenant, @FormParam("email") String email,
            @FormParam("role") String role) {
        return act(tenant, () -> {
            api.invite(tenant, new MeridianApi.Invitation(email, role));
            return membersPage(tenant, 1, null);
        }, error -> membersPage(tenant, 1, error));
    }

    @POST
    @Path("tenants/{t}/members/{m}/role")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response changeRole(@PathParam("t") UUID tenant, @PathParam("m") UUID member,
            @FormParam("role") String role) {
        return act(tenant, () -> {
            api.changeRole(tenant, member, Map.of("role", role == null ? "" : role));
            return membersPage(tenant, 1, null);
        }, error -> membersPage(tenant, 1, error));
    }

    @POST
    @Path("tenants/{t}/members/{m}/remove")
    public Response remove(@PathParam("t") UUID tenant, @PathParam("m") UUID member) {
        return act(tenant, () -> {
            api.remove(tenant, member);
            return membersPage(tenant, 1, null);
        }, error -> membersPage(tenant, 1, error));
    }

    private TemplateInstance membersPage(UUID tenant, int page, String error) {
        return Templates.members(api.tenant(tenant), Paged.of(api.members(tenant).data(), page), ROLES, error);
    }

    /** The tenant's audit log (owners and admins), newest first, filtered by action (family) and by who. */
    @GET
    @Path("tenants/{t}/audit")
    public Response audit(@PathParam("t") UUID tenant, @QueryParam("action") String action,
            @QueryParam("actor") String actor, @QueryParam("before") String before) {
        return guarded(() -> {
            Tenant t = api.tenant(tenant);
            try {
                return Templates.audit(t, api.audit(tenant, AUDIT_PAGE, before, action, actor), action, actor, null);
            } catch (WebApplicationException e) {
                if (e.getResponse().getStatus() / 100 != 4 || e.getResponse().getStatus() == 404) {
                    throw e;
                }
                return Templates.audit(t, null, action, actor, ApiProblem.detail(e));
            }
        }, 200);
    }

    /** Sets the language ({@code en} or {@code zh}) for this browser and goes back to the page it was on. */
    @GET
    @Path("language")
    public Response language(@QueryParam("to") String to, @QueryParam("back") String back) {
        String lang = Locales.supported(to).orElse("en");
        String target = back != null && back.startsWith("/") && !back.startsWith("//") ? back : "/tenants";
        return Response.seeOther(URI.create(target))
                .cookie(new NewCookie.Builder(Locales.COOKIE).value(lang).path("/").maxAge(365 * 24 * 3600)
                        .sameSite(NewCookie.SameSite.LAX).httpOnly(true).build())
                .build();
    }

}
