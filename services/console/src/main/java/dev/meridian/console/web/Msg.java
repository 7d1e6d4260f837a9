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

    @Message("Models")
    String models_title();

    @Message("Your role in this tenant may not use its models. The API says:")
    String models_refused();

    @Message("Your models")
    String models_own();

    @Message("No models of your own yet.")
    String models_none();

    @Message("Versions")
    String model_versions();

    @Message("Deployed versions")
    String model_deployed_versions();

    @Message("Description")
    String model_description();

    @Message("Base models")
    String models_base();

    @Message("Dimensions")
    String model_dimensions();

    @Message("Max tokens")
    String model_max_tokens();

    @Message("Languages")
    String model_languages();

    @Message("Upload an ONNX model")
    String model_upload();

    @Message("1–64 characters: a–z, 0–9, '.', '_' and '-', starting with a letter or digit. A new file under an existing name becomes its next version.")
    String model_name_note();

    @Message("ONNX file")
    String model_file();

    @Message("The file is sent in parts and checked (format, opset, inputs and outputs, a trial run) before it is kept.")
    String model_file_note();

    @Message("Upload progress")
    String upload_progress();

    @Message("Uploaded and validated.")
    String model_uploaded();

    @Message("Open the model")
    String model_open();

    @Message("Your role may not upload, deploy or delete models.")
    String models_upload_not_allowed();

    @Message("Try it")
    String try_it();

    @Message("Text")
    String try_text();

    @Message("Embed")
    String try_embed();

    @Message("First values")
    String try_first_values();

    @Message("Version")
    String model_version();

    @Message("Bytes")
    String model_bytes();

    @Message("Opset")
    String model_opset();

    @Message("Inputs")
    String model_inputs();

    @Message("Outputs")
    String model_outputs();

    @Message("deployed")
    String model_deployed();

    @Message("not deployed")
    String model_not_deployed();

    @Message("Deploy")
    String model_deploy();

    @Message("Undeploy")
    String model_undeploy();

    @Message("Delete version")
    String model_delete_version();

    @Message("Delete the model")
    String model_delete();

    @Message("Inference request (Open Inference Protocol v2, JSON)")
    String try_request();

    @Message("Filled in from the newest version's inputs; the model must be deployed to answer.")
    String try_request_note();

    @Message("Run")
    String try_infer();

    @Message("Fine-tuning")
    String fine_tuning_title();

    @Message("Datasets")
    String datasets_title();

    @Message("Your role in this tenant may not fine-tune. The API says:")
    String fine_tuning_refused();

    @Message("Jobs")
    String jobs_title();

    @Message("No fine-tuning jobs yet.")
    String jobs_none();

    @Message("ID")
    String job_id();

    @Message("Base model")
    String job_base_model();

    @Message("Tuned model")
    String job_tuned_model();

    @Message("Create a job")
    String job_create();

    @Message("Training dataset")
    String job_training_file();

    @Message("Validation dataset")
    String job_validation_file();

    @Message("Hyperparameters")
    String job_hyperparameters();

    @Message("Each is \"auto\" (chosen from the dataset's size) or a number.")
    String job_auto_note();

    @Message("Epochs (1–50)")
    String job_epochs();

    @Message("Batch size (1–256)")
    String job_batch_size();

    @Message("Learning rate multiplier (above 0, up to 10)")
    String job_learning_rate();

    @Message("Suffix")
    String job_suffix();

    @Message("Optional: 1–40 lower-case letters, digits, '-', '_' or '.'; it becomes part of the tuned model's name.")
    String job_suffix_note();

    @Message("Seed")
    String job_seed();

    @Message("Upload a dataset first (Datasets).")
    String datasets_needed();

    @Message("Your role may not upload datasets or create jobs.")
    String fine_tuning_not_allowed();

    @Message("No datasets yet.")
    String datasets_none();

    @Message("Dataset (.jsonl)")
    String dataset_file();

    @Message("Upload a dataset")
    String dataset_upload();

    @Message("One JSON object per line with exactly \"text\" and \"label\"; at least 10 lines, and at least 2 labels with 3 examples each.")
    String dataset_note();

    @Message("Fine-tuning job")
    String job_title();

    @Message("Cancel the job")
    String job_cancel();

    @Message("Loss and accuracy")
    String job_chart();

    @Message("loss")
    String job_loss();

    @Message("accuracy")
    String job_accuracy();

    @Message("Step")
    String job_step();

    @Message("Events")
    String job_events();

    @Message("Checkpoints")
    String job_checkpoints();

    @Message("Checkpoint")
    String job_checkpoint_model();

    @Message("Metrics")
    String job_metrics();

    @Message("Evaluation of the tuned model")
    String job_evaluation();

    @Message("Evaluated on")
    String job_evaluated_on();

    @Message("the validation file")
    String job_evaluated_validation_file();

    @Message("examples held out of the training file (stratified by label)")
    String job_evaluated_held_out();

    @Message("the training file (too small to hold examples out)")
    String job_evaluated_training_file();

    @Message("Examples")
    String job_examples();

    @Message("Best epoch (the model exported)")
    String job_best_epoch();

    @Message("Accuracy")
    String job_accuracy_title();

    @Message("Macro F1")
    String job_macro_f1();

    @Message("Expected calibration error (10 bins)")
    String job_ece();

    @Message("Precision")
    String job_precision();

    @Message("Recall")
    String job_recall();

    @Message("F1")
    String job_f1();

    @Message("Support")
    String job_support();

    @Message("Gap between groups")
    String job_group_gaps();

    @Message("Best group")
    String job_best_group();

    @Message("Worst group")
    String job_worst_group();

    @Message("Gap")
    String job_gap();

    @Message("Result files")
    String job_result_files();

    @Message("Classify a text")
    String job_playground();

    @Message("Classify")
    String job_classify();

    @Message("Label")
    String job_label();

    @Message("Score")
    String job_score();

    @Message("{filename} is uploaded as {id}; choose it when you create a job.")
    String dataset_uploaded(String filename, String id);

    @Message("Usage by key and model")
    String usage_by_key();

    @Message("Key")
    String field_key();

    @Message("Model")
    String field_model();

    @Message("Meter")
    String field_meter();

    @Message("Quantity")
    String field_quantity();

    @Message("Calls")
    String field_events();

    @Message("Console (signed-in member)")
    String console_member();

    @Message("Page {page} of {pages}")
    String page_of(int page, int pages);

    @Message("Previous")
    String previous();

    @Message("Next")
    String next();

    @Message("View")
    String invoice_view();

    @Message("Upcoming invoice (draft, usage so far)")
    String invoice_upcoming();

    @Message("Item")
    String line_item();

    @Message("Amount")
    String amount();

    @Message("Subtotal")
    String subtotal();

    @Message("Tax ({percent} %)")
    String tax(String percent);

    @Message("Trial credit applied")
    String trial_credits_applied();

    @Message("Credits applied")
    String credits_applied();

    @Message("Amount due")
    String amount_due();

    @Message("Recent fine-tuning jobs")
    String recent_jobs();

    @Message("Budgets per key")
    String key_budgets_title();

    @Message("A key's hard budget stops that key alone when its spend this month reaches it; the tenant's budgets still apply to all keys. Leave both empty to remove them.")
    String key_budgets_note();

    @Message("Partner")
    String partner_area();

    @Message("Your partners")
    String partners_title();

    @Message("Programme")
    String partner_programme();

    @Message("Referral (Meridian invoices the customers and shares revenue with you)")
    String programme_referral();

    @Message("Reseller (Meridian invoices you at wholesale)")
    String programme_reseller();

    @Message("{percent} % revenue share")
    String partner_share(String percent);

    @Message("{percent} % wholesale discount")
    String partner_discount(String percent);

    @Message("Regions you may sell in")
    String partner_regions();

    @Message("Plans you may offer")
    String partner_plans();

    @Message("Contact")
    String partner_contact();

    @Message("Customer tenants")
    String partner_tenants();

    @Message("No customer tenants yet. Create one below.")
    String partner_tenants_none();

    @Message("Tenant")
    String partner_tenant();

    @Message("Relationship")
    String partner_relationship();

    @Message("owned")
    String relationship_owned();

    @Message("granted access")
    String relationship_granted();

    @Message("not available")
    String usage_unavailable();

    @Message("none yet")
    String usage_none_short();

    @Message("Create a customer tenant")
    String partner_tenant_create();

    @Message("Partner members")
    String partner_members_title();

    @Message("Member since")
    String partner_member_since();

    @Message("Add a member")
    String partner_member_add();

    @Message("The person must already have a Meridian sign-in. Partner admins create tenants and manage members; partner support may only look.")
    String partner_member_note();

    @Message("Statements")
    String statements_title();

    @Message("Each month Meridian closes a statement per currency: your share of what your customers were invoiced, net of credit notes, payable to you.")
    String statements_note_referral();

    @Message("Each month Meridian closes a statement per currency: your customers' usage at wholesale, receivable from you.")
    String statements_note_reseller();

    @Message("No statements yet: the first is closed after your first month with invoiced customers.")
    String statements_none();

    @Message("Statement {number}")
    String statement_title(String number);

    @Message("Net invoiced")
    String statement_net_invoiced();

    @Message("Credit notes")
    String statement_credit_notes();

    @Message("Rate")
    String statement_rate();

    @Message("Direction")
    String statement_direction();

    @Message("Closed")
    String statement_finalized();

    @Message("Payable to you")
    String direction_payable();

    @Message("Receivable from you")
    String direction_receivable();

    @Message("Audit trail")
    String partner_audit_title();

    @Message("Role")
    String field_partner_role();
}
