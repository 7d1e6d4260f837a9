-- The W3C trace context (traceparent, tracestate) of the transaction that wrote an outbox row, sent as the Kafka
-- record's headers so consumers join the request's trace. Null where no span was current.
alter table registry_outbox add column traceparent text, add column tracestate text;
alter table finetune_outbox add column traceparent text, add column tracestate text;
