package dev.meridian.console.web;

import java.math.BigDecimal;

/** A hyperparameter as the job form gives it: empty or "auto" is {@code "auto"}, a number is that number. */
final class Hyperparameters {

    private Hyperparameters() {
    }

    /** The value to send: "auto", an integer, a decimal, or the text as typed (the API then says what is wrong). */
    static Object value(String typed) {
        if (typed == null || typed.isBlank() || "auto".equalsIgnoreCase(typed.strip())) {
            return "auto";
        }
        String t = typed.strip();
        try {
            BigDecimal number = new BigDecimal(t);
            if (number.scale() <= 0) {
                return number.longValueExact();
            }
            return number.doubleValue();
        } catch (NumberFormatException | ArithmeticException notANumber) {
            return t;
        }
    }
}
