package io.extensa.engine.loopback;

import io.extensa.engine.loopback.LoopbackSession.ClientTransaction;
import io.extensa.engine.loopback.LoopbackSession.Result;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.TransactionStatus;
import io.extensa.pgwire.message.MessageReader;
import io.extensa.pgwire.message.PgBuffer;
import io.extensa.pgwire.message.ServerMessages;
import io.extensa.pgwire.sql.SqlSplitter;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One standard client on a job's loopback socket, speaking the PostgreSQL v3 protocol: startup,
 * cleartext password (the job's token, over a Unix socket inside the job's directory), then
 * simple and extended queries with text parameters. Every statement goes to the job's
 * {@link LoopbackSession}, so it runs on the caller's backend connection under the identity guard.
 * The client's BEGIN/COMMIT/ROLLBACK map to a savepoint inside the caller's transaction.
 */
final class LoopbackConnection {

    private static final int PROTOCOL_3 = 196_608;
    private static final int SSL_REQUEST = 80_877_103;
    private static final int GSS_REQUEST = 80_877_104;
    private static final int CANCEL_REQUEST = 80_877_102;
    private static final int MAX_MESSAGE = 64 << 20;
    private static final String[] REPORTED_SETTINGS = {"server_version", "server_encoding", "client_encoding",
        "DateStyle", "IntervalStyle", "TimeZone", "integer_datetimes", "standard_conforming_strings"};

    private final SocketChannel channel;
    private final LoopbackSocket socket;
    private final int id;
    private final DataInputStream in;
    private final PgBuffer out = new PgBuffer(16 * 1024);
    private final Map<String, Prepared> statements = new HashMap<>();
    private final Map<String, Portal> portals = new HashMap<>();
    /** The client's own transaction state, as its ReadyForQuery reports it. */
    private TransactionStatus status = TransactionStatus.IDLE;
    private boolean skipUntilSync;

    private record Prepared(String sql, int[] types) {
    }

    private record Portal(Prepared statement, List<String> values, short[] formats) {
    }

    LoopbackConnection(SocketChannel channel, LoopbackSocket socket, int id) {
        this.channel = channel;
        this.socket = socket;
        this.id = id;
        this.in = new DataInputStream(Channels.newInputStream(channel));
    }

    int id() {
        return id;
    }

    private String savepoint() {
        return "extensa_loopback_client_" + id;
    }

    void serve() {
        try {
            if (!startup()) {
                return;
            }
            while (true) {
                int type = in.read();
                if (type < 0) {
                    return;
                }
                int length = in.readInt();
                if (length < 4 || length > MAX_MESSAGE) {
                    fatal(SqlState.PROTOCOL_VIOLATION, "invalid message length " + length);
                    return;
                }
                byte[] body = new byte[length - 4];
                in.readFully(body);
                if (type == 'X') {
                    return;
                }
                dispatch((char) type, ByteBuffer.wrap(body));
                flush();
            }
        } catch (EOFException e) {
            // the client went away
        } catch (IOException | PgException e) {
            if (!socket.closed()) {
                try {
                    fatal(SqlState.PROTOCOL_VIOLATION, e.getMessage());
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        } finally {
            endClientTransaction();
            close();
        }
    }

    /** One switch over the frontend message types this server speaks. */
    private void dispatch(char type, ByteBuffer body) throws IOException, PgException {
        if (skipUntilSync && type != 'S') {
            return;
        }
        MessageReader r = new MessageReader(type, body);
        switch (type) {
            case 'Q' -> simpleQuery(r.readCString());
            case 'P' -> parse(r);
            case 'B' -> bind(r);
            case 'D' -> describe(r);
            case 'E' -> execute(r);
            case 'C' -> closeObject(r);
            case 'S' -> {
                skipUntilSync = false;
                portals.clear();
                ServerMessages.readyForQuery(out, status);
            }
            case 'H' -> {
                // flushed after every message anyway
            }
            default -> throw new PgException(SqlState.PROTOCOL_VIOLATION, "unsupported message type '" + type + "'");
        }
    }

    // ---- startup ----

    /** Startup packet, password, parameter status; false when the client was refused or left. */
    private boolean startup() throws IOException, PgException {
        while (true) {
            int length = in.readInt();
            if (length < 8 || length > 10_000) {
                return false;
            }
            byte[] body = new byte[length - 4];
            in.readFully(body);
            ByteBuffer b = ByteBuffer.wrap(body);
            int code = b.getInt();
            if (code == SSL_REQUEST || code == GSS_REQUEST) {
                channel.write(ByteBuffer.wrap(new byte[] {'N'}));
                continue;
            }
            if (code == CANCEL_REQUEST) {
                return false;
            }
            if (code != PROTOCOL_3) {
                fatal(SqlState.FEATURE_NOT_SUPPORTED, "unsupported frontend protocol " + (code >> 16) + "."
                        + (code & 0xffff) + ": the loopback socket speaks 3.0");
                return false;
            }
            Map<String, String> params = new LinkedHashMap<>();
            MessageReader r = new MessageReader(' ', b);
            while (r.remaining() > 1) {
                params.put(r.readCString(), r.readCString());
            }
            return authenticate(params);
        }
    }

    private boolean authenticate(Map<String, String> params) throws IOException, PgException {
        String user = params.get("user");
        String callerUser = socket.caller().user();
        if (user != null && !user.equals(callerUser)) {
            socket.denied("user " + user + " is not the calling user " + callerUser);
            fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "the loopback connection of this job always runs as "
                    + "the calling user \"" + callerUser + "\"");
            return false;
        }
        String database = params.get("database");
        if (database != null && !database.equals(socket.caller().database())) {
            socket.denied("database " + database + " is not the caller's database");
            fatal("3D000", "the loopback connection of this job is bound to database \"" + socket.caller().database()
                    + "\"");
            return false;
        }
        out.begin('R').putInt(3).end();
        flush();
        int type = in.read();
        if (type != 'p') {
            return false;
        }
        int length = in.readInt();
        if (length < 5 || length > 10_000) {
            return false;
        }
        byte[] body = new byte[length - 4];
        in.readFully(body);
        String password = new MessageReader('p', ByteBuffer.wrap(body)).readCString();
        if (socket.closed() || !socket.tokenMatches(password)) {
            socket.denied(socket.closed() ? "the job has ended" : "wrong token");
            fatal("28P01", "password authentication failed for user \"" + callerUser + "\"");
            return false;
        }
        out.begin('R').putInt(0).end();
        for (String name : REPORTED_SETTINGS) {
            String value = socket.caller().parameterStatus(name);
            if (value != null) {
                out.begin('S').putCString(name).putCString(value).end();
            }
        }
        out.begin('S').putCString("session_authorization").putCString(callerUser).end();
        ServerMessages.backendKeyData(out, 0, 0);
        ServerMessages.readyForQuery(out, status);
        flush();
        return true;
    }

    // ---- simple query ----

    private void simpleQuery(String sql) throws IOException, PgException {
        List<String> pieces = SqlSplitter.split(sql);
        for (String piece : pieces) {
            if (piece.isBlank()) {
                ServerMessages.emptyQueryResponse(out);
                continue;
            }
            if (!run(piece, List.of(), new int[0], new short[0], true)) {
                break;
            }
        }
        ServerMessages.readyForQuery(out, status);
    }

    /**
     * One statement: the client's transaction statements are handled here, everything else by the
     * session. Writes RowDescription (when asked), DataRows and CommandComplete, or an ErrorResponse.
     *
     * @return false after an error
     */
    private boolean run(String sql, List<String> values, int[] types, short[] formats, boolean describe)
            throws IOException, PgException {
        Optional<ClientTransaction> tx = transactionStatement(sql);
        if (tx.isPresent()) {
            return transaction(tx.get());
        }
        if (status == TransactionStatus.FAILED) {
            return error(new PgException(SqlState.IN_FAILED_SQL_TRANSACTION,
                    "current transaction is aborted, commands ignored until end of transaction block"));
        }
        Result r = socket.session().runForClient(sql, values, types, formats, false);
        if (r.error() != null) {
            return error(r.error());
        }
        if (describe && r.returnsRows()) {
            ServerMessages.rowDescription(out, r.description().columns(), formats);
        }
        for (byte[] row : r.textRows()) {
            out.begin('D').put(row).end();
            if (out.size() > 256 * 1024) {
                flush();
            }
        }
        ServerMessages.commandComplete(out, r.commandTag());
        return true;
    }

    private boolean transaction(ClientTransaction action) throws IOException, PgException {
        if (action == ClientTransaction.BEGIN && status != TransactionStatus.IDLE) {
            ServerMessages.noticeResponse(out, ErrorFields.notice("WARNING", SqlState.ACTIVE_SQL_TRANSACTION,
                    "there is already a transaction in progress"));
            ServerMessages.commandComplete(out, "BEGIN");
            return true;
        }
        if (action != ClientTransaction.BEGIN && status == TransactionStatus.IDLE) {
            ServerMessages.noticeResponse(out, ErrorFields.notice("WARNING", SqlState.NO_ACTIVE_SQL_TRANSACTION,
                    "there is no transaction in progress"));
            ServerMessages.commandComplete(out, action.name());
            return true;
        }
        ClientTransaction effective = action == ClientTransaction.COMMIT && status == TransactionStatus.FAILED
                ? ClientTransaction.ROLLBACK : action;
        Result r = socket.session().clientTransaction(savepoint(), effective);
        if (r.error() != null) {
            return error(r.error());
        }
        status = action == ClientTransaction.BEGIN ? TransactionStatus.IN_TRANSACTION : TransactionStatus.IDLE;
        ServerMessages.commandComplete(out, r.commandTag());
        return true;
    }

    /** BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT (not ROLLBACK TO: the screen refuses that). */
    static Optional<ClientTransaction> transactionStatement(String sql) {
        List<String> w = StatementScreen.leadingWords(sql, 3);
        if (w.isEmpty()) {
            return Optional.empty();
        }
        return switch (w.get(0)) {
            case "begin" -> Optional.of(ClientTransaction.BEGIN);
            case "start" -> w.size() > 1 && w.get(1).equals("transaction") ? Optional.of(ClientTransaction.BEGIN)
                    : Optional.empty();
            case "commit", "end" -> w.size() > 1 && w.get(1).equals("prepared") ? Optional.empty()
                    : Optional.of(ClientTransaction.COMMIT);
            case "rollback", "abort" -> w.size() > 1 && (w.get(1).equals("to") || w.get(1).equals("prepared"))
                    ? Optional.empty() : Optional.of(ClientTransaction.ROLLBACK);
            default -> Optional.empty();
        };
    }

    // ---- extended query ----

    /** 'P': String name, String query, int16 n, int32 type * n. */
    private void parse(MessageReader r) throws IOException, PgException {
        String name = r.readCString();
        String sql = r.readCString();
        int n = Short.toUnsignedInt(r.readShort());
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            types[i] = r.readInt();
        }
        statements.put(name, new Prepared(sql, types));
        ServerMessages.parseComplete(out);
    }

    /** 'B': String portal, String statement, formats, values (text only), result formats. */
    private void bind(MessageReader r) throws IOException, PgException {
        String portal = r.readCString();
        Prepared st = statements.get(r.readCString());
        if (st == null) {
            extendedError(new PgException("26000", "prepared statement does not exist"));
            return;
        }
        short[] formats = shorts(r);
        int n = Short.toUnsignedInt(r.readShort());
        List<String> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = r.readInt();
            int format = formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
            if (format != 0) {
                extendedError(new PgException(SqlState.FEATURE_NOT_SUPPORTED,
                        "the loopback connection takes parameters in text format only"));
                return;
            }
            values.add(len < 0 ? null : new String(r.readBytes(len), StandardCharsets.UTF_8));
        }
        int[] types = new int[n];
        System.arraycopy(st.types(), 0, types, 0, Math.min(n, st.types().length));
        portals.put(portal, new Portal(new Prepared(st.sql(), types), values, shorts(r)));
        ServerMessages.bindComplete(out);
    }

    /** 'D': 'S' or 'P', name. */
    private void describe(MessageReader r) throws IOException, PgException {
        int kind = r.readByte();
        String name = r.readCString();
        Prepared st = kind == 'S' ? statements.get(name) : portals.containsKey(name) ? portals.get(name).statement() : null;
        if (st == null) {
            extendedError(new PgException("26000", (kind == 'S' ? "prepared statement" : "portal") + " \"" + name
                    + "\" does not exist"));
            return;
        }
        if (transactionStatement(st.sql()).isPresent()) {
            if (kind == 'S') {
                ServerMessages.parameterDescription(out, new int[0]);
            }
            ServerMessages.noData(out);
            return;
        }
        Result d = socket.session().runForClient(st.sql(), List.of(), st.types(), new short[0], true);
        if (d.error() != null) {
            extendedError(d.error());
            return;
        }
        if (kind == 'S') {
            ServerMessages.parameterDescription(out, d.description().parameterTypes());
        }
        if (d.returnsRows()) {
            ServerMessages.rowDescription(out, d.description().columns(),
                    kind == 'P' ? portals.get(name).formats() : new short[0]);
        } else {
            ServerMessages.noData(out);
        }
    }

    /** 'E': String portal, int32 max rows (all rows are returned at once). */
    private void execute(MessageReader r) throws IOException, PgException {
        Portal p = portals.get(r.readCString());
        if (p == null) {
            extendedError(new PgException("34000", "portal does not exist"));
            return;
        }
        if (!run(p.statement().sql(), p.values(), p.statement().types(), p.formats(), false)) {
            skipUntilSync = true;
        }
    }

    /** 'C': 'S' or 'P', name. */
    private void closeObject(MessageReader r) throws IOException, PgException {
        int kind = r.readByte();
        String name = r.readCString();
        if (kind == 'S') {
            statements.remove(name);
        } else {
            portals.remove(name);
        }
        ServerMessages.closeComplete(out);
    }

    private void extendedError(PgException e) throws IOException {
        error(e);
        skipUntilSync = true;
    }

    // ---- plumbing ----

    private boolean error(PgException e) throws IOException {
        ServerMessages.errorResponse(out, e.fields());
        if (status == TransactionStatus.IN_TRANSACTION) {
            status = TransactionStatus.FAILED;
        }
        return false;
    }

    /** A client that leaves inside its transaction: its statements are rolled back, as PostgreSQL would. */
    private void endClientTransaction() {
        if (status != TransactionStatus.IDLE && !socket.closed()) {
            try {
                socket.session().clientTransaction(savepoint(), ClientTransaction.ROLLBACK);
            } catch (PgException ignored) {
                // the call fails on its own when the backend is gone
            }
            status = TransactionStatus.IDLE;
        }
    }

    private void fatal(String sqlState, String message) throws IOException {
        ServerMessages.errorResponse(out, ErrorFields.error(sqlState, message).with('S', "FATAL").with('V', "FATAL"));
        flush();
    }

    private void flush() throws IOException {
        if (out.isEmpty()) {
            return;
        }
        ByteBuffer b = out.asByteBuffer();
        while (b.hasRemaining()) {
            channel.write(b);
        }
        out.clear();
    }

    private static short[] shorts(MessageReader r) throws PgException {
        int n = Short.toUnsignedInt(r.readShort());
        short[] v = new short[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.readShort();
        }
        return v;
    }

    /** Tells a client that arrived too late (or one too many) why, then hangs up. */
    static void refuse(SocketChannel channel, String why) {
        try (channel) {
            PgBuffer b = new PgBuffer(256);
            ServerMessages.errorResponse(b, ErrorFields.error("57P03", why).with('S', "FATAL").with('V', "FATAL"));
            channel.write(b.asByteBuffer());
        } catch (IOException ignored) {
            // nothing to tell
        }
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "loopback connection " + id + " (" + status.name().toLowerCase(Locale.ROOT) + ")";
    }
}
