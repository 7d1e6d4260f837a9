-- Dynamic batching settings a tenant gives when deploying a version; null: the inference service's defaults.
ALTER TABLE model_versions
    ADD COLUMN max_batch_size integer CHECK (max_batch_size BETWEEN 1 AND 256),
    ADD COLUMN max_queue_delay_us integer CHECK (max_queue_delay_us BETWEEN 0 AND 100000);
