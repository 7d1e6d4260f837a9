package dev.meridian.console.web;

import dev.meridian.console.web.PartnerNavigation.Link;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A test's page rendered inside the running app, in an HTTP request (the forms' CSRF token needs one), with what
 * {@link PageSupport#page} adds to every page: the user, the path, the header's partner link, the language.
 */
@Path("/test/rendered")
@PermitAll
public class RenderedPage {

    /** The page the next request renders; a test sets it, then GETs {@code /test/rendered}. */
    static volatile Supplier<TemplateInstance> next;
    static volatile Link partnerLink = new Link(false, "/partners");

    @GET
    @Produces(MediaType.TEXT_HTML)
    public String render(@QueryParam("lang") String lang) {
        return next.get().data("user", "ada@example.test").data("path", "/partners")
                .data("partnerNav", CompletableFuture.completedFuture(partnerLink))
                .setLocale(Locale.forLanguageTag(lang == null ? "en" : lang))
                .render();
    }
}
