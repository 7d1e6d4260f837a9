package dev.meridian.console.web;

import dev.meridian.console.api.PartnerApi;
import dev.meridian.console.api.PartnerApi.Partner;
import io.quarkus.qute.TemplateData;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Whether the header offers the partner area: only to a member of a partner (the API's list of the user's partners is
 * not empty). {@link PartnerNavigationStart} asks for the list as a page request arrives, so it is read beside the
 * page's own reads and costs the page no time of its own; the partner pages themselves always ask the API again.
 */
@RequestScoped
public class PartnerNavigation {

    private static final Logger LOG = Logger.getLogger(PartnerNavigation.class);

    /** The header's partner link: {@code member} whether to show it, {@code href} where it goes. */
    @TemplateData
    public record Link(boolean member, String href) {

        static Link of(List<Partner> partners) {
            return new Link(!partners.isEmpty(),
                    partners.size() == 1 ? "/partners/" + partners.getFirst().id() : "/partners");
        }
    }

    @Inject
    @RestClient
    PartnerApi partners;
    @Inject
    ManagedExecutor executor;

    private CompletableFuture<Link> read;

    /** Starts reading the user's partners, once per request. */
    void start() {
        if (read == null) {
            read = executor.supplyAsync(this::load);
        }
    }

    /** The header's link, as soon as the API has answered (a template waits for it where it shows it). */
    CompletableFuture<Link> link() {
        start();
        return read;
    }

    private Link load() {
        try {
            List<Partner> data = partners.partners().data();
            return Link.of(data == null ? List.of() : data);
        } catch (RuntimeException e) {
            // the header then offers no partner area, and the page is still served
            LOG.debugf("the user's partners could not be read: %s", e.toString());
            return Link.of(List.of());
        }
    }
}
