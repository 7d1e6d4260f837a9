package dev.meridian.models.finetune.service;

import dev.meridian.common.pii.PiiMode;
import java.util.Map;

/**
 * A checked {@code POST /v1/fine_tuning/jobs}: fields present and well-formed; files not yet read.
 *
 * @param pii Meridian's: {@link PiiMode#REDACT} has the worker replace the personal data in every example
 */
public record JobRequest(String model, String trainingFile, String validationFile, String suffix, Long seed,
        Hyperparameters hyperparameters, Map<String, String> metadata, PiiMode pii) {
}
