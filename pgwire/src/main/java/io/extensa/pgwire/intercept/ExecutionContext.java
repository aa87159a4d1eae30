package io.extensa.pgwire.intercept;

import io.extensa.pgwire.ErrorFields;
import java.util.List;

/** What a running Extensa statement may use: the session, its backend, parameters, notices. */
public interface ExecutionContext {

    ClientSession session();

    /** The caller's own backend connection, free for the statement's use while it runs. */
    BackendChannel backend();

    /** Bound values of {@code $1..$n} (empty for a simple Query). */
    List<BindValue> parameters();

    /** True for Parse/Bind/Execute, false for a simple Query. */
    boolean extendedProtocol();

    /** Sends a NoticeResponse to the client now (stdout of a script, warnings). */
    void notice(ErrorFields notice);

    Cancellation cancellation();
}
