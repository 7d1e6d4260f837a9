package dev.meridian.common.kafka;

/**
 * Thrown by a record handler for a record that can never be applied however often it is retried (it does not parse,
 * it lacks a field, it names something that cannot exist). An {@code @Incoming} handler's {@code @Retry} aborts on it
 * and the channel's {@code failure-strategy=dead-letter-queue} moves the record to the topic's dead-letter topic
 * ({@link KafkaTopics#deadLetter}) with the reason in its headers; a {@link BatchConsumer} started with a
 * {@link BatchConsumer.Recovery} does the same. Either way the records after it are applied, instead of one bad record
 * being retried for ever and blocking its partition.
 */
public class UnprocessableRecord extends RuntimeException {

    public UnprocessableRecord(String reason) {
        super(reason);
    }

    public UnprocessableRecord(String reason, Throwable cause) {
        super(reason, cause);
    }
}
