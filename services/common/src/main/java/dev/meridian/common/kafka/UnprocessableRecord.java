package dev.meridian.common.kafka;

/**
 * Thrown by a record handler for a record that can never be applied however often it is retried (it does not parse,
 * it lacks a field, it names something that cannot exist): a {@link BatchConsumer} started with a
 * {@link BatchConsumer.Recovery} moves it to the topic's dead-letter topic ({@link KafkaTopics#deadLetter}) with the
 * reason in its headers and goes on with the records after it, instead of retrying it for ever and blocking its
 * partition.
 */
public class UnprocessableRecord extends RuntimeException {

    public UnprocessableRecord(String reason) {
        super(reason);
    }

    public UnprocessableRecord(String reason, Throwable cause) {
        super(reason, cause);
    }
}
