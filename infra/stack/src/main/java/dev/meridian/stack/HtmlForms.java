package dev.meridian.stack;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what {@link OidcBrowser} (and a benchmark signing in to the console) needs from Keycloak's login pages: a
 * form's action and the page's feedback.
 */
public final class HtmlForms {

    private static final Pattern FORM_TAG = Pattern.compile("<form\\b[^>]*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern FEEDBACK = Pattern.compile(
            "<(?:span|div)[^>]*(?:id=\"input-error[^\"]*\"|class=\"[^\"]*(?:kc-feedback-text|alert-error|pf-m-danger)[^\"]*\")[^>]*>(.*?)</(?:span|div)>",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private static final Pattern LOGIN_ACTION_LINK = Pattern.compile(
            "<a\\b[^>]*\\shref=\"([^\"]*/login-actions/[^\"]*)\"", Pattern.CASE_INSENSITIVE);

    private HtmlForms() {
    }

    /** The decoded action URL of the form whose id is {@code formId}. */
    public static String action(String html, String formId) {
        Matcher forms = FORM_TAG.matcher(html);
        while (forms.find()) {
            String tag = forms.group();
            if (attribute(tag, "id").filter(formId::equals).isPresent()) {
                return attribute(tag, "action").map(HtmlForms::unescape).orElseThrow(
                        () -> new IllegalStateException("form " + formId + " has no action"));
            }
        }
        throw new IllegalStateException("Keycloak's page has no form '" + formId + "'"
                + feedback(html).map(f -> ": " + f).orElse(" (is the realm imported and registration on?)"));
    }

    /** The error or info message Keycloak shows on the page, if any. */
    static Optional<String> feedback(String html) {
        if (html == null) {
            return Optional.empty();
        }
        Matcher m = FEEDBACK.matcher(html);
        while (m.find()) {
            String text = unescape(m.group(1).replaceAll("<[^>]+>", "")).strip();
            if (!text.isEmpty()) {
                return Optional.of(text);
            }
        }
        return Optional.empty();
    }

    /** The decoded target of the page's first link into Keycloak's login actions ("click here to proceed"). */
    static Optional<String> loginActionLink(String html) {
        Matcher m = LOGIN_ACTION_LINK.matcher(html == null ? "" : html);
        return m.find() ? Optional.of(unescape(m.group(1))) : Optional.empty();
    }

    private static Optional<String> attribute(String tag, String name) {
        Matcher m = Pattern.compile("\\s" + name + "\\s*=\\s*\"([^\"]*)\"", Pattern.CASE_INSENSITIVE).matcher(tag);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static String unescape(String s) {
        return s.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<")
                .replace("&gt;", ">").replace("&#x3D;", "=").replace("&#61;", "=");
    }
}
