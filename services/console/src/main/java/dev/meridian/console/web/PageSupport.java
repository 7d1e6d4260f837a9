package dev.meridian.console.web;

import dev.meridian.console.api.MeridianApi;
import dev.meridian.console.api.OpenAiApi;
import io.quarkus.oidc.IdToken;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.UUID;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * What every page resource shares: the API as the signed-in user, and how a page is answered: in the user's language,
 * with the API's refusal next to the form that caused it and its status, and the not-found page for a tenant the
 * user may not see.
 */
abstract class PageSupport {

    @Inject
    @RestClient
    MeridianApi api;
    @Inject
    @RestClient
    OpenAiApi openai;
    @Inject
    ManagedExecutor executor;
    @Inject
    PartnerNavigation partnerNavigation;
    @Inject
    @IdToken
    JsonWebToken idToken;
    @Inject
    HttpHeaders headers;
    @Context
    UriInfo uriInfo;

    interface Page {
        TemplateInstance render();
    }

    interface ErrorPage {
        TemplateInstance render(String error);
    }

    /** A page of one tenant: the tenant's 404 (not a member, or no such tenant) is the not-found page. */
    Response guarded(Page page, int status) {
        try {
            return page(page.render(), status);
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() == 404) {
                return page(ConsolePages.Templates.notFound(), 404);
            }
            throw e;
        }
    }

    /** An action: on a refusal the page again, with the API's words and status; a tenant not found is not found. */
    Response act(UUID tenant, Page done, ErrorPage failed) {
        try {
            return page(done.render(), 200);
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 404) {
                return page(ConsolePages.Templates.notFound(), 404);
            }
            if (status >= 500) {
                throw e;
            }
            String detail = ApiProblem.detail(e);
            return guarded(() -> failed.render(detail), status);
        }
    }

    /**
     * An API read started now on the managed executor, which carries the signed-in user's request context (and so
     * their token) to its thread: a page makes its reads at once and waits for the slowest, not for their sum.
     */
    <T> java.util.concurrent.CompletableFuture<T> read(java.util.function.Supplier<T> read) {
        return executor.supplyAsync(read);
    }

    /** The value of an API read started on another thread; its refusal is thrown here as if the read were made here. */
    static <T> T joined(java.util.concurrent.CompletableFuture<T> read) {
        try {
            return read.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** What the API answered, or, where the user's role may not read it (403), the API's words instead. */
    record Allowed<T>(T value, String refusal) {
    }

    <T> Allowed<T> ifAllowed(java.util.function.Supplier<T> read) {
        try {
            return new Allowed<>(read.get(), null);
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() != 403) {
                throw e;
            }
            return new Allowed<>(null, ApiProblem.detail(e));
        }
    }

    /**
     * The page, rendered here rather than after the resource returns, so that its {@code Server-Timing} header can
     * say how long rendering took ({@code render}); {@link ServerTiming} adds the whole request's time ({@code app}),
     * which includes the API calls. Browsers show both in their developer tools; the console benchmark reads them.
     */
    Response page(TemplateInstance page, int status) {
        String email = idToken.getClaim("email");
        long started = System.nanoTime();
        String html = page.data("user", email == null ? idToken.getName() : email)
                .data("path", currentPath())
                .data("partnerNav", partnerNavigation.link())
                .setLocale(Locales.of(headers))
                .render();
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(html)
                .header(ServerTiming.HEADER, ServerTiming.metric("render", System.nanoTime() - started))
                .build();
    }

    private String currentPath() {
        return "/" + uriInfo.getPath().replaceFirst("^/+", "");
    }
}
