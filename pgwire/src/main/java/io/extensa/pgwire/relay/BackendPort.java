package io.extensa.pgwire.relay;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.intercept.CopyDataHandler;
import io.extensa.pgwire.intercept.CopyIn;
import io.extensa.pgwire.intercept.DeferredDescription;
import io.extensa.pgwire.intercept.RowHandler;
import io.extensa.pgwire.intercept.StatementDescription;
import io.extensa.pgwire.intercept.TransactionStatus;
import io.extensa.pgwire.message.FrontendMessages;
import io.extensa.pgwire.message.MessageReader;
import io.extensa.pgwire.message.PgBuffer;
import io.extensa.pgwire.relay.MessageAssembler.Message;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The caller's backend connection as the engine sees it while the worker owns it. Requests are
 * extended-protocol messages ended by Flush; responses come through the {@link BackendInbox}.
 */
final class BackendPort implements BackendChannel {

    /** Fails a transaction on purpose; the text shows up in PostgreSQL's log, so it says why. */
    private static final String FAIL_TRANSACTION_SQL =
            "SELECT 'Extensa statement failed: aborting the transaction'::pg_catalog.int4";

    private final GatewaySession session;
    private final ClientOutput client;
    private final BackendInbox inbox;
    private final PgBuffer out = new PgBuffer(16 * 1024);
    private boolean owned;
    private boolean failed;
    private boolean usedSinceSync;

    BackendPort(GatewaySession session, ClientOutput client) {
        this.session = session;
        this.client = client;
        this.inbox = new BackendInbox(session, client);
    }

    // ---- ownership ----

    /** Takes the backend over once every response owed to the client has been relayed. */
    void acquire() throws PgException {
        if (owned) {
            return;
        }
        try {
            if (session.tracker.pending() > 0 && !session.tracker.endsWithSync()) {
                PgBuffer flush = new PgBuffer(8);
                FrontendMessages.flush(flush);
                session.backend.write(flush.asByteBuffer());
            }
            if (!session.tracker.awaitIdle(session::isClosed)) {
                throw inbox.lost();
            }
            inbox.claim();
            owned = true;
        } catch (IOException e) {
            throw inbox.lost();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgException(SqlState.QUERY_CANCELED, "interrupted");
        }
    }

    /** Gives the backend back to the relay, first passing on complete messages that arrived meanwhile. */
    void release() {
        if (!owned) {
            return;
        }
        try {
            inbox.handBack();
        } finally {
            owned = false;
        }
    }

    boolean owned() {
        return owned;
    }

    // ---- BackendChannel ----

    @Override
    public TransactionStatus transactionStatus() {
        return session.transactionStatus;
    }

    @Override
    public boolean executedSinceSync() {
        return session.tracker.executedSinceSync();
    }

    @Override
    public boolean failed() {
        return failed;
    }

    /** P(unnamed, sql, types) D('S') H  ->  '1' 't' ('T' | 'n'). */
    @Override
    public StatementDescription describe(String sql, int[] parameterTypes) throws PgException {
        begin();
        FrontendMessages.parse(out, "", sql, parameterTypes);
        FrontendMessages.describe(out, 'S', "");
        send();
        return readDescription();
    }

    /** '1' 't' ('T' | 'n'): the answer to Parse + Describe('S'). */
    private StatementDescription readDescription() throws PgException {
        expect('1');
        int[] params = new MessageReader('t', expect('t').body()).readParameterDescription();
        Message m = expect('T', 'n');
        return new StatementDescription(params, m.type() == 'n' ? null
                : new MessageReader('T', m.body()).readRowDescription());
    }

    /** P B E H  ->  '1' '2' 'D'* ('C' | 'I'). */
    @Override
    public String execute(String sql, List<BindValue> parameters, short[] resultFormats, RowHandler rows)
            throws PgException {
        begin();
        FrontendMessages.parse(out, "", sql, typesOf(parameters));
        FrontendMessages.bind(out, "", "", parameters, resultFormats);
        FrontendMessages.execute(out, "", 0);
        send();
        return readExecution(rows);
    }

    /** P B E P(unnamed, describeSql) D('S') H  ->  '1' '2' 'D'* ('C' | 'I') '1' 't' ('T' | 'n'). */
    @Override
    public DeferredDescription executeThenDescribe(String sql, List<BindValue> parameters, short[] resultFormats,
                                                   RowHandler rows, String describeSql, Meanwhile meanwhile)
            throws PgException {
        begin();
        FrontendMessages.parse(out, "", sql, typesOf(parameters));
        FrontendMessages.bind(out, "", "", parameters, resultFormats);
        FrontendMessages.execute(out, "", 0);
        FrontendMessages.parse(out, "", describeSql, new int[0]);
        FrontendMessages.describe(out, 'S', "");
        send();
        Exception meanwhileFailure = null;
        try {
            meanwhile.run();
        } catch (PgException | RuntimeException e) {
            meanwhileFailure = e;
        }
        // PostgreSQL's answers are read whatever happened meanwhile: the next statement must find none
        DeferredDescription described = readExecutionThenDescription(rows);
        if (meanwhileFailure instanceof PgException e) {
            throw e;
        }
        if (meanwhileFailure instanceof RuntimeException e) {
            throw e;
        }
        return described;
    }

    private DeferredDescription readExecutionThenDescription(RowHandler rows) throws PgException {
        try {
            readExecution(rows);
        } catch (PgException e) {
            if (!failed) {
                // the handler failed, not PostgreSQL: the describe was answered too; read it off
                try {
                    readDescription();
                } catch (PgException ignored) {
                    // the statement fails with the handler's error either way
                }
            }
            throw e;
        }
        try {
            return new DeferredDescription(readDescription(), null);
        } catch (PgException e) {
            if (!failed) {
                throw e;
            }
            return new DeferredDescription(null, e);
        }
    }

    /** '1' '2' 'D'* ('C' | 'I'): the answer to Parse, Bind, Execute; the CommandComplete tag. */
    private String readExecution(RowHandler rows) throws PgException {
        expect('1');
        expect('2');
        PgException handlerFailure = null;
        while (true) {
            Message m = expect('D', 'C', 'I');
            switch (m.type()) {
                case 'D' -> {
                    if (handlerFailure == null && rows != null) {
                        try {
                            rows.row(m.body());
                        } catch (PgException e) {
                            handlerFailure = e;
                            cancelBackendStatement();
                        }
                    }
                }
                case 'C' -> {
                    if (handlerFailure != null) {
                        throw handlerFailure;
                    }
                    return cString(m.body());
                }
                default -> {
                    if (handlerFailure != null) {
                        throw handlerFailure;
                    }
                    return "";
                }
            }
        }
    }

    /** P(unnamed) B(portal) H  ->  '1' '2'. */
    @Override
    public void openPortal(String portal, String sql, int resultFormat) throws PgException {
        begin();
        FrontendMessages.parse(out, "", sql, new int[0]);
        FrontendMessages.bind(out, portal, "", List.of(), new short[] {(short) resultFormat});
        send();
        expect('1');
        expect('2');
    }

    /** E(portal, maxRows) H  ->  'D'* ('s' | 'C'). */
    @Override
    public boolean fetch(String portal, int maxRows, RowHandler rows) throws PgException {
        begin();
        FrontendMessages.execute(out, portal, maxRows);
        send();
        PgException handlerFailure = null;
        while (true) {
            Message m = expect('D', 's', 'C');
            if (m.type() == 'D') {
                if (handlerFailure == null) {
                    try {
                        rows.row(m.body());
                    } catch (PgException e) {
                        handlerFailure = e;
                    }
                }
                continue;
            }
            if (handlerFailure != null) {
                throw handlerFailure;
            }
            return m.type() == 's';
        }
    }

    /** C('P', portal) H  ->  '3'. */
    @Override
    public void closePortal(String portal) throws PgException {
        begin();
        FrontendMessages.close(out, 'P', portal);
        send();
        expect('3');
    }

    /** P B E H  ->  '1' '2' 'H' 'd'* 'c' 'C'. */
    @Override
    public String copyOut(String sql, CopyDataHandler handler) throws PgException {
        begin();
        FrontendMessages.parse(out, "", sql, new int[0]);
        FrontendMessages.bind(out, "", "", List.of(), new short[0]);
        FrontendMessages.execute(out, "", 0);
        send();
        expect('1');
        expect('2');
        expect('H');
        PgException handlerFailure = null;
        while (true) {
            if (handlerFailure == null) {
                try {
                    inbox.drainCopyData(handler);
                } catch (PgException e) {
                    handlerFailure = e;
                    cancelBackendStatement();
                }
            }
            Message m;
            try {
                m = expect('d', 'c', 'C');
            } catch (PgException e) {
                throw handlerFailure != null ? handlerFailure : e;
            }
            switch (m.type()) {
                case 'd' -> {
                    // a message the fast path above could not take whole (it spanned chunks)
                    if (handlerFailure == null) {
                        try {
                            handler.data(m.body());
                        } catch (PgException e) {
                            handlerFailure = e;
                            cancelBackendStatement();
                        }
                    }
                }
                case 'c' -> {
                    // CopyDone; CommandComplete follows
                }
                default -> {
                    if (handlerFailure != null) {
                        throw handlerFailure;
                    }
                    return cString(m.body());
                }
            }
        }
    }

    /** P B E H  ->  '1' '2' 'G'; then 'd'* and 'c' H -> 'C', or 'f' H -> 'E'. */
    @Override
    public CopyIn copyIn(String sql) throws PgException {
        begin();
        FrontendMessages.parse(out, "", sql, new int[0]);
        FrontendMessages.bind(out, "", "", List.of(), new short[0]);
        FrontendMessages.execute(out, "", 0);
        send();
        expect('1');
        expect('2');
        expect('G');
        // while rows go out, only the pump can notice an early ErrorResponse without blocking
        inbox.pumpReadsForEngine(true);
        return new CopyInStream();
    }

    /** P B [D('P')] E H  ->  '1' '2' swallowed, 'T'/'n' 'D'* 'C' passed to the client. */
    @Override
    public void relay(String sql, int[] parameterTypes, List<BindValue> parameters, short[] resultFormats,
                      boolean describe) throws PgException {
        begin();
        FrontendMessages.parse(out, "", sql, parameterTypes);
        FrontendMessages.bind(out, "", "", parameters, resultFormats);
        if (describe) {
            FrontendMessages.describe(out, 'P', "");
        }
        FrontendMessages.execute(out, "", 0);
        send();
        expect('1');
        expect('2');
        while (true) {
            Message m = expect('T', 'n', 'D', 'C', 'I');
            if (m.type() != 'n') {
                client.raw(m.type(), m.body());
            }
            if (m.type() == 'C' || m.type() == 'I') {
                return;
            }
        }
    }

    @Override
    public void failTransaction() throws PgException {
        if (failed) {
            return;
        }
        begin();
        FrontendMessages.parse(out, "", FAIL_TRANSACTION_SQL, new int[0]);
        FrontendMessages.bind(out, "", "", List.of(), new short[0]);
        FrontendMessages.execute(out, "", 0);
        send();
        try {
            while (true) {
                expect('1', '2', 'T', 'n', 'D', 'C');
            }
        } catch (PgException expected) {
            // the error we asked for; failed is now set
        }
    }

    /** [S -> 'Z' when failed] then P B E H -> '1' '2' 'C'. */
    @Override
    public void rollbackToSavepoint(String savepoint) throws PgException {
        if (!owned) {
            throw new IllegalStateException("backend used without owning it");
        }
        if (failed) {
            sync();
            if (session.transactionStatus != TransactionStatus.FAILED) {
                throw new PgException(SqlState.NO_ACTIVE_SQL_TRANSACTION,
                        "savepoint " + savepoint + " is gone: the caller is not in a transaction block");
            }
        }
        execute("ROLLBACK TO SAVEPOINT " + savepoint, List.of(), new short[0], null);
        // the block works again; PostgreSQL says so only at the next ReadyForQuery
        session.transactionStatus = TransactionStatus.IN_TRANSACTION;
    }

    // ---- gateway-internal ----

    boolean needsSync() {
        return usedSinceSync || failed;
    }

    /** S -> 'Z': ends the implicit transaction the engine's messages opened (commit, or rollback after an error). */
    void sync() throws PgException {
        out.clear();
        FrontendMessages.sync(out);
        writeOut();
        while (true) {
            Message m = inbox.next();
            if (m.type() == 'Z') {
                session.transactionStatus = TransactionStatus.fromCode(m.body().get(0));
                failed = false;
                usedSinceSync = false;
                return;
            }
        }
    }

    /** A client Sync went to PostgreSQL through the relay: the error state ends there. */
    void syncForwarded() {
        failed = false;
        usedSinceSync = false;
    }

    /**
     * Q -> everything up to 'Z' passed to the client except the 'Z' itself.
     *
     * @return false when PostgreSQL reported an error
     */
    boolean simpleQuery(String sql) throws PgException {
        out.clear();
        FrontendMessages.query(out, sql);
        writeOut();
        boolean ok = true;
        while (true) {
            Message m = inbox.next();
            if (m.type() == 'Z') {
                session.transactionStatus = TransactionStatus.fromCode(m.body().get(0));
                client.flush();
                return ok;
            }
            ok &= m.type() != 'E';
            client.raw(m.type(), m.body());
        }
    }

    // ---- plumbing ----

    private void begin() throws PgException {
        if (!owned) {
            throw new IllegalStateException("backend used without owning it");
        }
        if (failed) {
            throw new PgException(SqlState.IN_FAILED_SQL_TRANSACTION,
                    "current transaction is aborted, commands ignored until end of transaction block");
        }
        out.clear();
        usedSinceSync = true;
    }

    private void send() throws PgException {
        FrontendMessages.flush(out);
        writeOut();
    }

    private void writeOut() throws PgException {
        try {
            session.backend.write(out.asByteBuffer());
        } catch (IOException e) {
            throw inbox.lost();
        } finally {
            out.clear();
        }
    }

    /** The next message of one of the given types; an ErrorResponse fails the statement. */
    private Message expect(char... types) throws PgException {
        Message m = inbox.next();
        for (char t : types) {
            if (m.type() == t) {
                return m;
            }
        }
        if (m.type() == 'E') {
            failed = true;
            throw new PgException(new MessageReader('E', m.body()).readErrorFields());
        }
        throw new PgException(SqlState.PROTOCOL_VIOLATION, "unexpected message '" + m.type()
                + "' from PostgreSQL (expected one of " + new String(types) + ")");
    }

    /** Stops a backend statement whose results the engine no longer wants, instead of reading them all. */
    private void cancelBackendStatement() {
        session.cancelBackendOnly();
    }

    private static int[] typesOf(List<BindValue> parameters) {
        int[] types = new int[parameters.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = parameters.get(i).typeOid();
        }
        return types;
    }

    private static String cString(ByteBuffer body) {
        int n = body.remaining();
        if (n > 0 && body.get(body.position() + n - 1) == 0) {
            n--;
        }
        byte[] b = new byte[n];
        body.duplicate().get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private final class CopyInStream implements CopyIn {
        private static final int BATCH = 256 * 1024;
        private final PgBuffer pending = new PgBuffer(BATCH + 1024);
        private boolean done;

        @Override
        public void write(ByteBuffer data) throws PgException {
            checkOpen();
            FrontendMessages.copyDataHeader(pending, data.remaining());
            pending.put(data);
            if (pending.size() >= BATCH) {
                push();
                failFastIfRejected();
            }
        }

        @Override
        public String finish() throws PgException {
            checkOpen();
            done = true;
            FrontendMessages.copyDone(pending);
            FrontendMessages.flush(pending);
            push();
            try {
                return cString(expect('C').body());
            } finally {
                inbox.pumpReadsForEngine(false);
            }
        }

        @Override
        public void abort(String reason) throws PgException {
            if (done) {
                return;
            }
            done = true;
            FrontendMessages.copyFail(pending, reason);
            FrontendMessages.flush(pending);
            push();
            try {
                expect('C');
            } catch (PgException expected) {
                // PostgreSQL confirms the CopyFail with an error; the transaction is failed as intended
            } finally {
                inbox.pumpReadsForEngine(false);
            }
        }

        private void push() throws PgException {
            try {
                session.backend.write(pending.asByteBuffer());
            } catch (IOException e) {
                throw inbox.lost();
            } finally {
                pending.clear();
            }
        }

        /** PostgreSQL reports a bad row at once; stop sending instead of streaming into the void. */
        private void failFastIfRejected() throws PgException {
            Message error = inbox.earlyError();
            if (error != null) {
                done = true;
                failed = true;
                throw new PgException(new MessageReader('E', error.body()).readErrorFields());
            }
        }

        private void checkOpen() {
            if (done) {
                throw new IllegalStateException("COPY already finished");
            }
        }
    }
}
