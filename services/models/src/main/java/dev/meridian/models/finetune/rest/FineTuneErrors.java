package dev.meridian.models.finetune.rest;

import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one mapper of the files and fine-tuning API: OpenAI's error body, never a stack trace. */
public class FineTuneErrors {

    @ServerExceptionMapper
    public Response refused(FineTuneException e) {
        return Response.status(e.status).entity(e.body).type("application/json").build();
    }
}
