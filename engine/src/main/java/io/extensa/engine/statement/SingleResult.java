package io.extensa.engine.statement;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.ResultDescription;

/** An execution with exactly one result, produced by {@link #rows}. */
abstract class SingleResult implements Execution {

    private boolean described;
    private boolean done;
    private String tag;

    /** The result's shape; called once. */
    protected abstract ResultDescription describe() throws PgException;

    /** Writes the rows (if any) and returns the command tag. */
    protected abstract String rows(DataRowWriter out) throws PgException;

    @Override
    public final ResultDescription nextResult() throws PgException {
        if (described) {
            return null;
        }
        described = true;
        return describe();
    }

    @Override
    public final boolean fetch(int maxRows, DataRowWriter out) throws PgException {
        if (!done) {
            tag = rows(out);
            done = true;
        }
        return true;
    }

    @Override
    public final String commandTag() {
        return tag;
    }

    @Override
    public void close() {
    }
}
