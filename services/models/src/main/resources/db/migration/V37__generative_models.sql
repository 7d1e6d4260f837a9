-- Generative model versions (#18): a decoder with a KV cache uploaded as a package (ZIP) with its tokenizer.json.
-- task is null for the tensor models of before ("text-generation" otherwise); generation holds the GenerationSpec
-- inference runs the version with (tokenizer blob and hash, chat template, special ids, context, KV layout).
-- sha256 and size_bytes stay those of the ONNX artifact inference loads and verifies; upload_sha256 is the hash of
-- what the tenant sent (the .onnx file, or the package), which identifies a version's content: a package whose
-- decoder is unchanged but whose tokenizer or template is new is a new version.
alter table model_versions
    add column task          text check (task = 'text-generation'),
    add column generation    jsonb,
    add column upload_sha256 text check (upload_sha256 ~ '^[0-9a-f]{64}$');
update model_versions set upload_sha256 = sha256;
alter table model_versions
    alter column upload_sha256 set not null,
    add constraint model_versions_generation check ((task is null) = (generation is null)),
    drop constraint model_versions_content,
    add constraint model_versions_content unique (tenant_id, model_id, upload_sha256);

-- Writers that do not know the column yet (a replica of the previous release during a rolling upgrade, fixtures)
-- upload bare ONNX files, whose upload hash is the artifact's.
create function model_versions_upload_sha256() returns trigger language plpgsql as $$
begin
    new.upload_sha256 := coalesce(new.upload_sha256, new.sha256);
    return new;
end $$;
create trigger model_versions_upload_sha256 before insert on model_versions
    for each row execute function model_versions_upload_sha256();
