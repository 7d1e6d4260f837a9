package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.platform.Platform;
import dev.meridian.platform.RunningPlatform;
import dev.meridian.platform.supervisor.SupervisedPart;
import dev.meridian.stack.ServiceProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The supervisor behind {@code ./platform}: a crashed service comes back by itself, and status lists every part. */
class SupervisorIT {

    @Test
    void aServiceKilledWithSigkillIsRestartedAndServesAgain() {
        RunningPlatform platform = SystemUnderTest.platform();
        SupervisedPart billing = platform.part("billing");
        long killed = billing.pid();
        int restartsBefore = billing.restarts();

        ProcessHandle.of(killed).orElseThrow().destroyForcibly(); // SIGKILL, as the outage probe did

        await("billing restarted by the supervisor and ready again").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> billing.state() == SupervisedPart.State.RUNNING && billing.pid() != killed
                        && ServiceProcess.ready(platform.billingUrl()));
        assertThat(billing.restarts()).isEqualTo(restartsBefore + 1);
        assertThat(ProcessHandle.of(killed).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        assertThat(Platform.statusReport(platform.stateDir()))
                .containsPattern("billing\\s+running\\s+" + billing.pid() + "\\s+" + platform.billingUrl() + "\\s+"
                        + billing.restarts());
    }

    @Test
    void statusListsEveryPartRunningWithItsPidAndUrl() {
        RunningPlatform platform = SystemUnderTest.platform();

        String report = Platform.statusReport(platform.stateDir());

        List<String> parts = List.of("supervisor", "postgres", "mail", "kafka", "keycloak", "tenancy", "billing",
                "models-eu-central", "models-us-east", "inference-eu-central", "inference-us-east",
                "worker-eu-central", "worker-us-east", "gateway-eu-central", "gateway-us-east");
        for (String part : parts) {
            assertThat(report).as(report).containsPattern("(?m)^" + part + "\\s+running\\s+[1-9][0-9]*\\s");
        }
        assertThat(report).contains(platform.tenancyUrl(), platform.billingUrl(), platform.modelsUrl("us-east"),
                platform.inferenceUrl("eu-central"), platform.gatewayUrl("us-east"), platform.keycloakUrl());
    }

    @Test
    void eachWorkerServesItsHealthWhereTheStatusSays() {
        RunningPlatform platform = SystemUnderTest.platform();
        for (String region : List.of("eu-central", "us-east")) {
            String url = platform.part("worker-" + region).url();
            await("worker " + region + " ready at " + url).atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> io.restassured.RestAssured.given().baseUri(url).get("/q/health/ready").then()
                            .statusCode(200).body("status", org.hamcrest.Matchers.equalTo("UP")));
            assertThat(Platform.statusReport(platform.stateDir())).contains(url);
        }
    }
}
