package io.extensa.server;

/**
 * A failure the person running Extensa can act on: the message says what went wrong and, where
 * possible, what to do. The CLI prints it without a stack trace.
 */
public class ExtensaException extends RuntimeException {

    public ExtensaException(String message) {
        super(message);
    }

    public ExtensaException(String message, Throwable cause) {
        super(message, cause);
    }
}
