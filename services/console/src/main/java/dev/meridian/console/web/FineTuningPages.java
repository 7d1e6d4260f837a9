package dev.meridian.console.web;

import dev.meridian.console.api.JobFeedApi;
import dev.meridian.console.api.MeridianApi.Tenant;
import dev.meridian.console.api.OpenAiApi;
import dev.meridian.console.api.OpenAiApi.Checkpoint;
import dev.meridian.console.api.OpenAiApi.Classification;
import dev.meridian.console.api.OpenAiApi.File;
import dev.meridian.console.api.OpenAiApi.Job;
import dev.meridian.console.api.OpenAiApi.JobEvent;
import dev.meridian.console.api.OpenAiApi.Model;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.client.api.ClientMultipartForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * Fine-tuning of a tenant: its datasets (upload a JSONL file; the API's per-line refusal is shown), its jobs
 * (paginated) and a form to create one, and a job's page, which follows the job live through server-sent events from
 * the console (status, events, the loss and accuracy chart) until it ends, with its checkpoints, a cancel button
 * while it runs, and once it has a tuned model its evaluation (per-label metrics, the gap between groups) and a
 * classify playground. (Rooted at "/" like every page resource.)
 */
@Path("/")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class FineTuningPages extends PageSupport {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(FineTuningPages.class);
    static final int JOBS_PAGE = 20;
    static final int FILES_PAGE = 20;
    static final Duration POLL = Duration.ofSeconds(1);

    @Inject
    @RestClient
    JobFeedApi feed;
    @Inject
    AccessTokenCredential accessToken;
    @Inject
    ObjectMapper json;

    /** One line of a job's event list as the page shows it. */
    public record EventLine(String id, String when, String level, String message) {

        static EventLine of(JobEvent e, Locale locale) {
            return new EventLine(e.id(), e.createdAt() == null ? "" : TemplateExtensions.when(e.createdAt(), locale),
                    e.level(), e.message());
        }
    }

    /** What the live job page receives every second: the job's state, its new events and the whole curve. */
    public record JobUpdate(String status, boolean terminal, String fineTunedModel, String error,
            List<EventLine> events, TrainingCurve curve) {
    }

    @CheckedTemplate
    static class Templates {

        static native TemplateInstance fineTuning(Tenant tenant, List<Job> jobs, boolean hasMore, String nextAfter,
                List<Model> baseModels, List<File> datasets, String refusal, String error);

        static native TemplateInstance datasets(Tenant tenant, List<File> files, boolean hasMore, String nextAfter,
                File uploaded, String refusal, String error, List<String> badLines);

        static native TemplateInstance job(Tenant tenant, Job job, List<EventLine> events, String curve,
                List<Checkpoint> checkpoints, JobEvaluation evaluation, String text, Classification classified,
                String refusal, String error);
    }

    @GET
    @Path("tenants/{t}/fine-tuning")
    public Response jobs(@PathParam("t") UUID tenant, @QueryParam("after") String after) {
        return guarded(() -> jobsPage(tenant, after, null), 200);
    }

    /** Creates a job from the form: each hyperparameter "auto" or a number, as the API takes them. */
    @POST
    @Path("tenants/{t}/fine-tuning/jobs")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response createJob(@PathParam("t") UUID tenant, @FormParam("model") String model,
            @FormParam("training_file") String training, @FormParam("validation_file") String validation,
            @FormParam("n_epochs") String epochs, @FormParam("batch_size") String batch,
            @FormParam("learning_rate_multiplier") String rate, @FormParam("suffix") String suffix,
            @FormParam("seed") String seed) {
        try {
            Map<String, Object> hyper = new LinkedHashMap<>();
            hyper.put("n_epochs", Hyperparameters.value(epochs));
            hyper.put("batch_size", Hyperparameters.value(batch));
            hyper.put("learning_rate_multiplier", Hyperparameters.value(rate));
            Map<String, Object> job = new HashMap<>();
            job.put("model", model);
            job.put("training_file", training);
            if (validation != null && !validation.isBlank()) {
                job.put("validation_file", validation);
            }
            if (suffix != null && !suffix.isBlank()) {
                job.put("suffix", suffix.strip());
            }
            if (seed != null && !seed.isBlank()) {
                job.put("seed", Hyperparameters.value(seed));
            }
            job.put("method", Map.of("type", "supervised", "supervised", Map.of("hyperparameters", hyper)));
            Job created = openai.createJob(tenant, job);
            return Response.seeOther(URI.create(jobUrl(tenant, created.id()))).build();
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 404 || status >= 500) {
                throw e;
            }
            String error = ApiProblem.detail(e);
            return guarded(() -> jobsPage(tenant, null, error), status);
        }
    }

    @GET
    @Path("tenants/{t}/fine-tuning/datasets")
    public Response datasets(@PathParam("t") UUID tenant, @QueryParam("after") String after) {
        return guarded(() -> datasetsPage(tenant, after, null, null), 200);
    }

    @POST
    @Path("tenants/{t}/fine-tuning/datasets")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response uploadDataset(@PathParam("t") UUID tenant, @RestForm("file") FileUpload file) {
        return act(tenant, () -> {
            var form = ClientMultipartForm.create().attribute("purpose", "fine-tune", null);
            if (file != null) {
                form.binaryFileUpload("file", file.fileName(), file.uploadedFile().toString(), "application/jsonl");
            }
            File uploaded = openai.uploadFile(tenant, form);
            return datasetsPage(tenant, null, uploaded, null);
        }, error -> datasetsPage(tenant, null, null, error));
    }

    @GET
    @Path("tenants/{t}/fine-tuning/jobs/{j}")
    public Response job(@PathParam("t") UUID tenant, @PathParam("j") String job) {
        return guarded(() -> jobPage(tenant, job, null, null, null), 200);
    }

    @POST
    @Path("tenants/{t}/fine-tuning/jobs/{j}/cancel")
    public Response cancel(@PathParam("t") UUID tenant, @PathParam("j") String job) {
        return act(tenant, () -> {
            openai.cancelJob(tenant, job);
            return jobPage(tenant, job, null, null, null);
        }, error -> jobPage(tenant, job, null, null, error));
    }

    /** The playground: a text classified by the job's tuned model, with each label's score. */
    @POST
    @Path("tenants/{t}/fine-tuning/jobs/{j}/classify")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response classify(@PathParam("t") UUID tenant, @PathParam("j") String job,
            @FormParam("input") String text) {
        return act(tenant, () -> {
            String model = openai.job(tenant, job).fineTunedModel();
            var answer = openai.classify(tenant, new OpenAiApi.ClassificationRequest(model,
                    List.of(text == null ? "" : text))).data().getFirst();
            return jobPage(tenant, job, text, answer, null);
        }, error -> jobPage(tenant, job, text, null, error));
    }

    /**
     * The job as it goes: every second its state and the events not sent yet, until it has ended. The polls run after
     * this request is over, so they carry the user's token themselves ({@link JobFeedApi}). Each event's data is the
     * {@link JobUpdate} as JSON, written here: the console serves no other JSON, so it has no JSON body writer.
     */
    @GET
    @Path("tenants/{t}/fine-tuning/jobs/{j}/live")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    public Multi<String> live(@PathParam("t") UUID tenant, @PathParam("j") String job) {
        String bearer = "Bearer " + accessToken.getToken();
        Locale locale = Locales.of(headers);
        JobEventLog log = new JobEventLog();
        return Multi.createBy().repeating()
                .uni(() -> Uni.createFrom().item(() -> poll(bearer, tenant, job, log, locale))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .withDelay(POLL)
                .whilst(update -> !update.terminal())
                .map(this::asJson);
    }

    private String asJson(JobUpdate update) {
        try {
            return json.writeValueAsString(update);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JobUpdate poll(String bearer, UUID tenant, String jobId, JobEventLog log, Locale locale) {
        Job job = feed.job(bearer, tenant, jobId);
        var fresh = log.catchUp(after -> feed.events(bearer, tenant, jobId, JobEventLog.PAGE, after));
        return new JobUpdate(job.status(), job.terminal(), job.fineTunedModel(),
                job.error() == null ? null : job.error().message(),
                fresh.stream().map(e -> EventLine.of(e, locale)).toList(), log.curve());
    }

    private TemplateInstance jobsPage(UUID tenant, String after, String error) {
        Tenant t = api.tenant(tenant);
        var jobs = ifAllowed(() -> openai.jobs(tenant, JOBS_PAGE, after));
        if (jobs.refusal() != null) {
            return Templates.fineTuning(t, List.of(), false, null, List.of(), List.of(), jobs.refusal(), error);
        }
        var list = jobs.value().data();
        List<Model> base = List.of();
        List<File> files = List.of();
        if (t.may("fine-tune")) {
            base = openai.models(tenant).data().stream().filter(Model::base).toList();
            files = openai.files(tenant, "fine-tune", 100, null).data();
        }
        return Templates.fineTuning(t, list, jobs.value().hasMore(), list.isEmpty() ? null : list.getLast().id(),
                base, files, null, error);
    }

    private TemplateInstance datasetsPage(UUID tenant, String after, File uploaded, String error) {
        Tenant t = api.tenant(tenant);
        var files = ifAllowed(() -> openai.files(tenant, "fine-tune", FILES_PAGE, after));
        if (files.refusal() != null) {
            return Templates.datasets(t, List.of(), false, null, null, files.refusal(), error, List.of());
        }
        return Templates.datasets(t, files.value().data(), files.value().hasMore(), files.value().lastId(), uploaded,
                null, error, DatasetProblems.of(error));
    }

    private TemplateInstance jobPage(UUID tenant, String jobId, String text, Classification classified,
            String error) {
        Tenant t = api.tenant(tenant);
        var job = ifAllowed(() -> openai.job(tenant, jobId));
        if (job.refusal() != null) {
            return Templates.job(t, null, List.of(), "{}", List.of(), null, text, null, job.refusal(), error);
        }
        var log = new JobEventLog();
        log.catchUp(after -> openai.events(tenant, jobId, JobEventLog.PAGE, after));
        Locale locale = Locales.of(headers);
        List<EventLine> events = log.all().reversed().stream().map(e -> EventLine.of(e, locale)).toList();
        List<Checkpoint> checkpoints = openai.checkpoints(tenant, jobId, 100).data();
        return Templates.job(t, job.value(), events, log.curve().json(), checkpoints,
                evaluation(tenant, job.value()), text, classified, null, error);
    }

    /**
     * The evaluation report of a job that succeeded with one (its second result file), or {@code null}: the page
     * then shows no evaluation, and says nothing went wrong, as the rest of the job's page is still right.
     */
    private JobEvaluation evaluation(UUID tenant, Job job) {
        if (!"succeeded".equals(job.status()) || job.resultFiles() == null || job.resultFiles().size() < 2) {
            return null;
        }
        try {
            return JobEvaluation.of(json.readTree(openai.fileContent(tenant, job.resultFiles().get(1))))
                    .orElse(null);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debugf("job %s: its evaluation report cannot be shown (%s)", job.id(), e.toString());
            return null;
        }
    }

    static String jobUrl(UUID tenant, String job) {
        return "/tenants/" + tenant + "/fine-tuning/jobs/" + job;
    }
}
