package dev.meridian.common.apikey;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** What an API key may do. The wire names are the ones tenants type in the console and the API. */
public enum Scope {
    INFERENCE("inference"),
    MODELS("models"),
    FINE_TUNE("fine-tune"),
    BILLING_READ("billing:read"),
    ADMIN("admin");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static Optional<Scope> fromWireName(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }

    @JsonCreator
    static Scope parse(String name) {
        return fromWireName(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown scope '" + name + "'; use one of " + wireNames()));
    }

    public static String wireNames() {
        return String.join(", ", Arrays.stream(values()).map(Scope::wireName).toList());
    }
}
