package io.extensa.pgwire.relay;

import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.InterceptedStatement;
import io.extensa.pgwire.intercept.ResultDescription;
import io.extensa.pgwire.intercept.SessionInterceptor;
import io.extensa.pgwire.message.MessageReader;
import io.extensa.pgwire.sql.SqlSplitter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slow path: processes, in order, the client messages the fast path could not simply
 * forward. One switch on the message type; Extensa statements prepared with Parse live here as
 * gateway-owned statements and portals, answered with the extended protocol's own messages.
 * Errors follow PostgreSQL's rules: in the extended protocol everything up to the next Sync is
 * skipped, and the backend transaction is failed too so that it ends exactly as PostgreSQL's own
 * error would have ended it.
 */
final class SessionWorker {

    private static final Logger log = LoggerFactory.getLogger(SessionWorker.class);
    private static final short[] TEXT = new short[0];

    private final GatewaySession session;
    private final ClientOutput client;
    private final BackendPort port;
    private final Map<String, OwnedStatement> statements = new HashMap<>();
    private final Map<String, OwnedPortal> portals = new HashMap<>();
    /** Statements whose Describe was answered NoData although their result is only known when they run. */
    private final java.util.Set<OwnedStatement> describedWithoutColumns =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private volatile boolean ownsNothing = true;
    private volatile boolean skipping;
    private volatile RunningCancellation running;

    private record OwnedStatement(InterceptedStatement statement, int[] parameterTypes) {
    }

    private static final class OwnedPortal {
        final OwnedStatement statement;
        final List<BindValue> parameters;
        final short[] resultFormats;
        Execution execution;
        ResultDescription current;
        boolean described;
        boolean finished;
        String lastTag = "";

        OwnedPortal(OwnedStatement statement, List<BindValue> parameters, short[] resultFormats) {
            this.statement = statement;
            this.parameters = parameters;
            this.resultFormats = resultFormats;
        }
    }

    SessionWorker(GatewaySession session) {
        this.session = session;
        this.client = new ClientOutput(session);
        this.port = new BackendPort(session, client);
    }

    boolean ownsNothing() {
        return ownsNothing;
    }

    boolean skippingUntilSync() {
        return skipping;
    }

    void cancelRunning(String reason) {
        RunningCancellation r = running;
        if (r != null) {
            r.cancel(reason);
        }
    }

    void dispatch(FrontendMessage m) {
        if (skipping && m.type() != 'S' && m.type() != 'X') {
            return;
        }
        try {
            switch (m.type()) {
                case 'Q' -> query(m);
                case 'P' -> parse(m);
                case 'B' -> bind(m);
                case 'D' -> describe(m);
                case 'E' -> execute(m);
                case 'C' -> close(m);
                case 'S' -> sync(m);
                default -> forward(m);
            }
        } catch (PgException e) {
            // a malformed message from the client
            try {
                port.acquire();
                client.error(e.fields());
                port.failTransaction();
            } catch (PgException ignored) {
                // backend gone; the session ends below
            } finally {
                client.flush();
                port.release();
            }
            session.close("protocol violation: " + e.getMessage());
        } finally {
            if (session.backendEofSeen()) {
                session.close("backend closed the connection");
            }
        }
    }

    // ---- simple query ----

    /** 'Q': String query. */
    private void query(FrontendMessage m) throws PgException {
        String sql = new MessageReader('Q', m.bodyBuffer()).readCString();
        SessionInterceptor interceptor = session.interceptor;
        List<String> pieces = SqlSplitter.split(sql);
        List<InterceptedStatement> intercepted = new ArrayList<>(pieces.size());
        boolean any = false;
        PgException invalid = null;
        for (String piece : pieces) {
            InterceptedStatement st = null;
            if (interceptor != null) {
                try {
                    st = interceptor.intercept(piece);
                } catch (PgException e) {
                    invalid = e;
                    break;
                } catch (RuntimeException e) {
                    invalid = internal(e);
                    break;
                }
            }
            any |= st != null;
            intercepted.add(st);
        }
        if (!any && invalid == null) {
            forward(m);
            return;
        }
        if (backendSkipping()) {
            return;
        }
        port.acquire();
        try {
            if (invalid != null) {
                client.error(invalid.fields());
                logStatement("(parse)", 0, invalid);
            } else {
                for (int i = 0; i < pieces.size(); i++) {
                    InterceptedStatement st = intercepted.get(i);
                    boolean ok;
                    if (st == null) {
                        if (port.needsSync()) {
                            port.sync();
                        }
                        ok = port.simpleQuery(pieces.get(i));
                    } else {
                        ok = runSimple(st);
                    }
                    if (!ok || session.isClosed()) {
                        break;
                    }
                }
            }
            if (port.needsSync()) {
                port.sync();
            }
            client.readyForQuery(session.transactionStatus);
        } finally {
            client.flush();
            port.release();
        }
    }

    /** Runs one Extensa statement of a simple Query: every result as RowDescription, DataRows, CommandComplete. */
    private boolean runSimple(InterceptedStatement statement) throws PgException {
        long started = System.nanoTime();
        RunningCancellation cancellation = new RunningCancellation();
        running = cancellation;
        Execution execution = null;
        try {
            execution = statement.start(new StatementContext(session, port, List.of(), false, client, cancellation));
            ResultDescription result;
            boolean any = false;
            while ((result = execution.nextResult()) != null) {
                any = true;
                if (result.returnsRows()) {
                    client.rowDescription(result.columns(), TEXT);
                    execution.fetch(0, client.rows(TEXT));
                } else {
                    execution.fetch(0, client.rows(TEXT));
                }
                client.commandComplete(execution.commandTag());
            }
            if (!any) {
                // every statement ends with CommandComplete, even one that returned nothing
                client.commandComplete(execution.commandTag());
            }
            logStatement(statement.label(), started, null);
            return true;
        } catch (PgException e) {
            fail(statement.label(), started, e);
            return false;
        } catch (RuntimeException e) {
            fail(statement.label(), started, internal(e));
            return false;
        } finally {
            running = null;
            if (execution != null) {
                execution.close();
            }
        }
    }

    // ---- extended query ----

    /** 'P': String statement, String query, int16 n, int32 type oid * n. */
    private void parse(FrontendMessage m) throws PgException {
        MessageReader r = new MessageReader('P', m.bodyBuffer());
        String name = r.readCString();
        String sql = r.readCString();
        int n = Short.toUnsignedInt(r.readShort());
        int[] declared = new int[n];
        for (int i = 0; i < n; i++) {
            declared[i] = r.readInt();
        }
        InterceptedStatement st = null;
        SessionInterceptor interceptor = session.interceptor;
        byte[] utf8 = sql.getBytes(StandardCharsets.UTF_8);
        if (interceptor != null && interceptor.mayIntercept(utf8, 0, utf8.length)) {
            try {
                st = interceptor.intercept(sql);
            } catch (PgException e) {
                if (backendSkipping()) {
                    return;
                }
                extendedError("(parse)", 0, e);
                return;
            } catch (RuntimeException e) {
                extendedError("(parse)", 0, internal(e));
                return;
            }
        }
        if (st == null) {
            if (name.isEmpty()) {
                statements.remove(name);
                updateOwnership();
            } else if (statements.containsKey(name)) {
                extendedError("(parse)", 0, duplicateStatement(name));
                return;
            }
            forward(m);
            return;
        }
        if (backendSkipping()) {
            return;
        }
        if (!name.isEmpty() && statements.containsKey(name)) {
            extendedError("(parse)", 0, duplicateStatement(name));
            return;
        }
        statements.put(name, new OwnedStatement(st, st.parameterTypes(declared)));
        updateOwnership();
        respond(client::parseComplete);
    }

    /** 'B': String portal, String statement, formats, values, result formats. */
    private void bind(FrontendMessage m) throws PgException {
        MessageReader r = new MessageReader('B', m.bodyBuffer());
        String portalName = r.readCString();
        String statementName = r.readCString();
        OwnedStatement st = statements.get(statementName);
        if (st == null) {
            closePortal(portalName);
            forward(m);
            return;
        }
        if (backendSkipping()) {
            return;
        }
        short[] formats = readShorts(r);
        int n = Short.toUnsignedInt(r.readShort());
        if (n != st.parameterTypes().length) {
            extendedError(st.statement().label(), 0, new PgException(SqlState.PROTOCOL_VIOLATION,
                    "bind message supplies " + n + " parameters, but prepared statement \"" + statementName
                            + "\" requires " + st.parameterTypes().length));
            return;
        }
        List<BindValue> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = r.readInt();
            byte[] value = len < 0 ? null : r.readBytes(len);
            int format = formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
            values.add(new BindValue(st.parameterTypes()[i], format, value));
        }
        short[] resultFormats = readShorts(r);
        closePortal(portalName);
        portals.put(portalName, new OwnedPortal(st, values, resultFormats));
        updateOwnership();
        respond(client::bindComplete);
    }

    /** 'D': byte 'S' or 'P', String name. */
    private void describe(FrontendMessage m) throws PgException {
        MessageReader r = new MessageReader('D', m.bodyBuffer());
        int kind = r.readByte();
        String name = r.readCString();
        if ((kind == 'S' && statements.containsKey(name) || kind == 'P' && portals.containsKey(name))
                && backendSkipping()) {
            return;
        }
        if (kind == 'S' && statements.containsKey(name)) {
            OwnedStatement st = statements.get(name);
            respond(() -> {
                client.parameterDescription(st.parameterTypes());
                st.statement().staticResult().filter(ResultDescription::returnsRows).ifPresentOrElse(
                        d -> client.rowDescription(d.columns(), TEXT), () -> {
                            client.noData();
                            describedWithoutColumns.add(st);
                        });
            });
        } else if (kind == 'P' && portals.containsKey(name)) {
            OwnedPortal p = portals.get(name);
            long started = System.nanoTime();
            port.acquire();
            try {
                start(p);
                p.described = true;
                if (p.current != null && p.current.returnsRows()) {
                    client.rowDescription(p.current.columns(), p.resultFormats);
                } else {
                    client.noData();
                }
            } catch (PgException e) {
                endPortal(p);
                failExtended(p.statement.statement().label(), started, e);
            } finally {
                client.flush();
                port.release();
            }
        } else {
            forward(m);
        }
    }

    /** 'E': String portal, int32 max rows (0 = all). */
    private void execute(FrontendMessage m) throws PgException {
        MessageReader r = new MessageReader('E', m.bodyBuffer());
        String name = r.readCString();
        int maxRows = r.readInt();
        OwnedPortal p = portals.get(name);
        if (p == null) {
            forward(m);
            return;
        }
        if (backendSkipping()) {
            return;
        }
        long started = System.nanoTime();
        port.acquire();
        try {
            if (p.finished) {
                client.commandComplete(p.lastTag);
                return;
            }
            start(p);
            if (p.current == null) {
                p.finished = true;
                p.lastTag = p.execution.commandTag();
                client.commandComplete(p.lastTag);
                logStatement(p.statement.statement().label(), started, null);
                endPortal(p);
                return;
            }
            if (p.current.returnsRows() && !p.described && describedWithoutColumns.contains(p.statement)) {
                throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "the columns of " + p.statement.statement().label()
                        + " are only known once it runs, but this client took them from a Describe of the statement")
                        .withHint("declare them WITH RESULT SETS ((...)), or let the driver describe the portal "
                                + "(pgjdbc: do not use prepareThreshold=-1)");
            }
            boolean done = p.execution.fetch(p.current.returnsRows() ? Math.max(0, maxRows) : 0,
                    client.rows(p.resultFormats));
            if (!done) {
                client.portalSuspended();
                return;
            }
            p.lastTag = p.execution.commandTag();
            client.commandComplete(p.lastTag);
            if (p.execution.nextResult() != null) {
                client.notice(ErrorFields.notice("NOTICE", SqlState.WARNING,
                        "further result sets were dropped: the extended query protocol returns one result per "
                                + "Execute; use the simple query protocol or OUTPUT variables to get them"));
            }
            p.finished = true;
            logStatement(p.statement.statement().label(), started, null);
            endPortal(p);
        } catch (PgException e) {
            endPortal(p);
            p.finished = true;
            failExtended(p.statement.statement().label(), started, e);
        } catch (RuntimeException e) {
            endPortal(p);
            p.finished = true;
            failExtended(p.statement.statement().label(), started, internal(e));
        } finally {
            client.flush();
            port.release();
        }
    }

    /** 'C': byte 'S' or 'P', String name. */
    private void close(FrontendMessage m) throws PgException {
        MessageReader r = new MessageReader('C', m.bodyBuffer());
        int kind = r.readByte();
        String name = r.readCString();
        if ((kind == 'S' && statements.containsKey(name) || kind == 'P' && portals.containsKey(name))
                && backendSkipping()) {
            return;
        }
        if (kind == 'S' && statements.containsKey(name)) {
            describedWithoutColumns.remove(statements.remove(name));
        } else if (kind == 'P' && portals.containsKey(name)) {
            closePortal(name);
        } else {
            forward(m);
            return;
        }
        updateOwnership();
        respond(client::closeComplete);
    }

    /** 'S': ends the pipeline; PostgreSQL answers ReadyForQuery through the relay. */
    private void sync(FrontendMessage m) {
        skipping = false;
        for (String name : List.copyOf(portals.keySet())) {
            closePortal(name);
        }
        updateOwnership();
        port.syncForwarded();
        forward(m);
    }

    // ---- helpers ----

    private void start(OwnedPortal p) throws PgException {
        if (p.execution != null) {
            return;
        }
        RunningCancellation cancellation = new RunningCancellation();
        running = cancellation;
        p.execution = p.statement.statement().start(
                new StatementContext(session, port, p.parameters, true, client, cancellation));
        p.current = p.execution.nextResult();
    }

    private void endPortal(OwnedPortal p) {
        running = null;
        if (p.execution != null) {
            p.execution.close();
        }
    }

    private void closePortal(String name) {
        OwnedPortal p = portals.remove(name);
        if (p != null) {
            endPortal(p);
        }
    }

    private void updateOwnership() {
        ownsNothing = statements.isEmpty() && portals.isEmpty();
    }

    /**
     * True when an earlier message of this pipeline failed in PostgreSQL, which now ignores everything
     * until Sync: the gateway must ignore the owned message as well (no reply, no side effect), exactly
     * as PostgreSQL would. Finding out means waiting for the responses PostgreSQL still owes.
     */
    private boolean backendSkipping() throws PgException {
        if (session.tracker.pending() == 0 && !session.tracker.skippingUntilSync()) {
            return false;
        }
        port.acquire();
        boolean skippingNow = session.tracker.skippingUntilSync();
        port.release();
        if (skippingNow) {
            skipping = true;
        }
        return skippingNow;
    }

    /** Answers an owned message in order, after everything PostgreSQL owed the client. */
    private void respond(Runnable answer) throws PgException {
        port.acquire();
        try {
            answer.run();
        } finally {
            client.flush();
            port.release();
        }
    }

    private void forward(FrontendMessage m) {
        session.tracker.sent(m.type());
        try {
            session.backend.write(m.wire());
        } catch (IOException e) {
            session.close("backend write failed: " + e.getMessage());
        }
    }

    /** An error in the extended protocol: report it, fail the backend transaction, skip until Sync. */
    private void extendedError(String label, long started, PgException e) throws PgException {
        port.acquire();
        try {
            failExtended(label, started, e);
        } finally {
            client.flush();
            port.release();
        }
    }

    private void failExtended(String label, long started, PgException e) {
        fail(label, started, e);
        skipping = true;
    }

    private void fail(String label, long started, PgException e) {
        client.error(e.fields());
        logStatement(label, started, e);
        try {
            port.failTransaction();
        } catch (PgException lost) {
            // the backend is gone; the session is closing
        }
    }

    private void logStatement(String label, long started, PgException error) {
        double ms = started == 0 ? 0 : (System.nanoTime() - started) / 1e6;
        if (error == null) {
            log.info("session {}: {} ok in {} ms", session.id, label, String.format("%.1f", ms));
        } else {
            log.info("session {}: {} failed in {} ms: {} {}", session.id, label, String.format("%.1f", ms),
                    error.sqlState(), error.getMessage());
        }
    }

    private static PgException duplicateStatement(String name) {
        return new PgException("42P05", "prepared statement \"" + name + "\" already exists");
    }

    private static PgException internal(RuntimeException e) {
        log.error("internal error in an Extensa statement", e);
        return new PgException(SqlState.INTERNAL_ERROR, "internal error in Extensa: " + e);
    }

    private static short[] readShorts(MessageReader r) throws PgException {
        int n = Short.toUnsignedInt(r.readShort());
        short[] v = new short[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.readShort();
        }
        return v;
    }
}
