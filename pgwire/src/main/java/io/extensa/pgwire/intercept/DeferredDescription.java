package io.extensa.pgwire.intercept;

import io.extensa.pgwire.PgException;

/**
 * A describe that went out together with another statement ({@link BackendChannel#executeThenDescribe}):
 * PostgreSQL's description, or the error it answered with, thrown only when the caller gets to it.
 */
public record DeferredDescription(StatementDescription description, PgException failure) {

    public DeferredDescription {
        if ((description == null) == (failure == null)) {
            throw new IllegalArgumentException("exactly one of description and failure");
        }
    }

    public StatementDescription get() throws PgException {
        if (failure != null) {
            throw failure;
        }
        return description;
    }
}
