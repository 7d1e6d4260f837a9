package dev.meridian.console.web;

import io.quarkus.qute.i18n.Message;
import io.quarkus.qute.i18n.MessageBundle;

/**
 * Every string the console shows, in English here and in Simplified Chinese in {@code messages/msg_zh.properties};
 * templates use them as {@code {msg:tenants_title}}. {@code MessagesTest} fails when a key lacks a translation.
 */
@MessageBundle(value = "msg", locale = "en")
public interface Msg {

    @Message("Meridian console")
    String app_name();

    @Message("Sign out")
    String sign_out();

    @Message("Language")
    String language();

    @Message("Your tenants")
    String tenants_title();

    @Message("You are not a member of any tenant yet. Create one below.")
    String tenants_none();

    @Message("Name")
    String field_name();

    @Message("Home region")
    String field_home_region();

    @Message("Plan")
    String field_plan();

    @Message("Your role")
    String field_role();

    @Message("Status")
    String field_status();

    @Message("Create a tenant")
    String tenant_create();

    @Message("A tenant's data (keys, models, files, fine-tuning jobs, usage) stays in its home region; only billing totals go to the control plane.")
    String tenant_region_note();

    @Message("{region.name}: {region.residency == 'none' ? 'no residency rule' : region.residency}, billed in {region.currency}")
    String region_option(dev.meridian.console.api.MeridianApi.Region region);

    @Message("Free")
    String plan_free();

    @Message("Pay as you go")
    String plan_payg();

    @Message("Subscription")
    String plan_subscription();

    @Message("API keys")
    String keys_title();

    @Message("Members")
    String members_title();

    @Message("Prefix")
    String field_prefix();

    @Message("Scopes")
    String field_scopes();

    @Message("Created")
    String field_created();

    @Message("Last used")
    String field_last_used();

    @Message("Expires")
    String field_expires();

    @Message("never")
    String never();

    @Message("No keys yet.")
    String keys_none();

    @Message("Create a key")
    String key_create();

    @Message("Your role may put these scopes on a key:")
    String key_scopes_note();

    @Message("Your role may not create keys.")
    String key_create_not_allowed();

    @Message("Revoke")
    String key_revoke();

    @Message("Rotate")
    String key_rotate();

    @Message("revoked")
    String key_revoked();

    @Message("Copy this key now: it is shown only once.")
    String key_secret_once();

    @Message("Copy")
    String copy();

    @Message("E-mail")
    String field_email();

    @Message("Invite")
    String member_invite();

    @Message("Remove")
    String member_remove();

    @Message("Change role")
    String member_change_role();

    @Message("active")
    String status_active();

    @Message("invited")
    String status_invited();

    @Message("Page not found")
    String not_found_title();

    @Message("There is nothing here, or it is not yours to see.")
    String not_found_text();

    @Message("Back to your tenants")
    String back_to_tenants();

    @Message("Could not do that")
    String error_title();

    @Message("Usage and billing")
    String billing_title();

    @Message("Budgets")
    String budgets_title();

    @Message("Spent this month")
    String spent_this_month();

    @Message("Soft budget (alerts)")
    String soft_budget();

    @Message("Hard budget (calls stop)")
    String hard_budget();

    @Message("none")
    String none();

    @Message("Alert webhook URL")
    String alert_webhook();

    @Message("Save")
    String save();

    @Message("Usage this month")
    String usage_title();

    @Message("No usage this month yet.")
    String usage_none();

    @Message("Day")
    String day();

    @Message("Download as CSV")
    String download_csv();

    @Message("Invoices")
    String invoices_title();

    @Message("Number")
    String invoice_number();

    @Message("Period")
    String period();

    @Message("Total")
    String total();

    @Message("draft (this month so far)")
    String draft();

    @Message("Audit log")
    String audit_title();

    @Message("Action")
    String audit_action();

    @Message("By (e-mail)")
    String audit_actor();

    @Message("When")
    String audit_when();

    @Message("What")
    String audit_target();

    @Message("Filter")
    String filter();

    @Message("No changes match.")
    String audit_none();

    @Message("Older changes")
    String older();

    @Message("Overview")
    String overview_title();

    @Message("This month")
    String this_month();

    @Message("of the soft budget")
    String of_soft_budget();

    @Message("Keys used most recently")
    String keys_in_use();

    @Message("{count} active keys, {members} members")
    String tenant_counts(int count, int members);

    @Message("No key has been used yet.")
    String keys_unused();
}
