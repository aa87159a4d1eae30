package io.extensa.engine.types;

/** Where output values go; it decides which declared types need PostgreSQL to check them. */
public enum Destination {
    /**
     * DataRows to the client. Nothing checks them after Extensa, so enum labels and domain
     * constraints are left to PostgreSQL ({@link OutputColumnPlan#needsServerCast()}).
     */
    CLIENT,
    /**
     * {@code COPY table FROM STDIN} on the backend (INSERT ... EXEC). PostgreSQL's receive
     * functions check enum labels and domain constraints, so those types encode natively.
     */
    COPY
}
