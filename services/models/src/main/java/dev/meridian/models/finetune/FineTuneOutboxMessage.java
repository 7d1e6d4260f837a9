package dev.meridian.models.finetune;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnTransformer;

/** A job or cancellation written in the same transaction as the change, published to Kafka afterwards. */
@Entity
@Table(name = "finetune_outbox")
public class FineTuneOutboxMessage extends PanacheEntityBase {

    @Id
    public UUID id;
    public String topic;
    @Column(name = "message_key")
    public String messageKey;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String payload;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "published_at")
    public Instant publishedAt;
}
