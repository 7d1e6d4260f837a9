package dev.meridian.inference.rest;

/** A failure on the Open Inference Protocol routes: answered as {@code {"error": "..."}} with the status given. */
public class OipException extends RuntimeException {

    final int status;

    public OipException(int status, String message) {
        super(message);
        this.status = status;
    }
}
