package dev.meridian.console.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * A fine-tuning job and its events, read for a live page: the console polls them after the page's request is over,
 * where there is no request to propagate the token from, so the caller passes the user's bearer token itself.
 */
@RegisterRestClient(configKey = "meridian-openai")
@Produces(MediaType.APPLICATION_JSON)
public interface JobFeedApi {

    @GET
    @Path("/v1/fine_tuning/jobs/{j}")
    OpenAiApi.Job job(@HeaderParam("Authorization") String bearer, @HeaderParam(OpenAiApi.ORGANIZATION) UUID tenant,
            @PathParam("j") String job);

    @GET
    @Path("/v1/fine_tuning/jobs/{j}/events")
    OpenAiApi.JobEvents events(@HeaderParam("Authorization") String bearer,
            @HeaderParam(OpenAiApi.ORGANIZATION) UUID tenant, @PathParam("j") String job,
            @QueryParam("limit") int limit, @QueryParam("after") String after);
}
