package dev.meridian.console.web;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Starts {@link PartnerNavigation}'s read as a browser's page request arrives (a GET for HTML), so that it runs beside
 * the page's own API reads instead of after them. (A form's POST reads it when its page is rendered.)
 */
public class PartnerNavigationStart {

    @Inject
    PartnerNavigation navigation;

    @ServerRequestFilter
    public void start(ContainerRequestContext request) {
        String accept = request.getHeaderString(HttpHeaders.ACCEPT);
        if ("GET".equals(request.getMethod()) && accept != null && accept.contains("text/html")
                && request.getSecurityContext() != null
                && request.getSecurityContext().getUserPrincipal() != null) {
            navigation.start();
        }
    }
}
