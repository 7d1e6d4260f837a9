package dev.meridian.models.finetune.service;

import java.util.Map;

/** A checked {@code POST /v1/fine_tuning/jobs}: fields present and well-formed; files not yet read. */
public record JobRequest(String model, String trainingFile, String validationFile, String suffix, Long seed,
        Hyperparameters hyperparameters, Map<String, String> metadata) {
}
