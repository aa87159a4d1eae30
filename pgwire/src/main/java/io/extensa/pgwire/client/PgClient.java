package io.extensa.pgwire.client;

import io.extensa.pgwire.BackendAddress;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.message.FrontendMessages;
import io.extensa.pgwire.message.MessageReader;
import io.extensa.pgwire.message.PgBuffer;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small blocking PostgreSQL client for Extensa's own service connection (its catalog, live
 * state): startup with trust, password, md5 or SCRAM-SHA-256 authentication, simple queries and
 * parameterized queries with text values. One statement at a time; safe to share between threads.
 */
public final class PgClient implements AutoCloseable {

    /** The rows of a query as text (null for NULL) and its command tag. */
    public record Result(List<String> columns, List<List<String>> rows, String tag) {

        public String single() {
            return rows.isEmpty() || rows.get(0).isEmpty() ? null : rows.get(0).get(0);
        }
    }

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).limit(0);
    private final PgBuffer out = new PgBuffer(1024);
    private final Map<String, String> parameters = new LinkedHashMap<>();

    private PgClient(SocketChannel channel) {
        this.channel = channel;
    }

    public static PgClient connect(BackendAddress address, String user, String database, String password,
                                   Duration timeout) throws PgException {
        SocketChannel channel;
        try {
            channel = address.open(timeout);
        } catch (IOException e) {
            throw new PgException(SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                    "cannot connect to PostgreSQL at " + address + ": " + e.getMessage());
        }
        PgClient client = new PgClient(channel);
        try {
            client.startup(user, database, password);
            return client;
        } catch (PgException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    public String parameterStatus(String name) {
        return parameters.get(name);
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    /** Runs SQL with the simple query protocol (several statements allowed); returns the last result. */
    public synchronized Result execute(String sql) throws PgException {
        out.clear();
        FrontendMessages.query(out, sql);
        send();
        return collect();
    }

    /** Runs one statement with {@code $1..$n} bound as text values (null = NULL). */
    public synchronized Result query(String sql, String... values) throws PgException {
        List<BindValue> binds = new ArrayList<>(values.length);
        for (String v : values) {
            binds.add(BindValue.text(0, v));
        }
        out.clear();
        FrontendMessages.parse(out, "", sql, new int[values.length]);
        FrontendMessages.bind(out, "", "", binds, new short[0]);
        FrontendMessages.describe(out, 'P', "");
        FrontendMessages.execute(out, "", 0);
        FrontendMessages.sync(out);
        send();
        return collect();
    }

    /**
     * Runs {@code COPY ... TO STDOUT} with the simple query protocol, handing every CopyData payload
     * to the handler (a slice of the read buffer where the message fits in it, valid only during
     * the call). A handler that throws leaves the connection mid-stream: close it.
     *
     * @return the CommandComplete tag
     */
    public synchronized String copyOut(String sql, io.extensa.pgwire.intercept.CopyDataHandler handler)
            throws PgException {
        out.clear();
        FrontendMessages.query(out, sql);
        send();
        String tag = "";
        PgException error = null;
        while (true) {
            ByteBuffer whole = bufferedCopyData();
            if (whole != null) {
                handler.data(whole);
                continue;
            }
            Message m;
            try {
                m = read();
            } catch (PgException lost) {
                // a FATAL error (terminated, shutting down) comes just before the connection closes: report it
                throw error != null ? error : lost;
            }
            switch (m.type) {
                case 'd' -> handler.data(m.body);
                case 'C' -> tag = rest(m.body).replace("\0", "");
                case 'E' -> error = new PgException(new MessageReader('E', m.body).readErrorFields());
                case 'Z' -> {
                    if (error != null) {
                        throw error;
                    }
                    return tag;
                }
                default -> {
                    // CopyOutResponse, CopyDone, notices
                }
            }
        }
    }

    /** A CopyData message lying whole in the read buffer, consumed and sliced out; null otherwise. */
    private ByteBuffer bufferedCopyData() {
        if (in.remaining() < 5 || in.get(in.position()) != 'd') {
            return null;
        }
        int length = in.getInt(in.position() + 1);
        if (length < 4 || in.remaining() < 1 + length) {
            return null;
        }
        int start = in.position() + 5;
        ByteBuffer slice = in.slice(start, length - 4);
        in.position(start + length - 4);
        return slice;
    }

    @Override
    public void close() {
        if (channel.isOpen()) {
            try {
                out.clear();
                FrontendMessages.terminate(out);
                channel.write(out.asByteBuffer());
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    // ---- protocol ----

    private void startup(String user, String database, String password) throws PgException {
        out.clear();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", user);
        params.put("database", database);
        params.put("application_name", "extensa");
        params.put("client_encoding", "UTF8");
        FrontendMessages.startup(out, params);
        send();
        while (true) {
            Message m = read();
            switch (m.type) {
                case 'R' -> {
                    int code = m.body.getInt();
                    switch (code) {
                        case 0 -> {
                            // AuthenticationOk
                        }
                        case 3 -> sendPassword(cString(requirePassword(password, "cleartext")));
                        case 5 -> {
                            byte[] salt = new byte[4];
                            m.body.get(salt);
                            sendPassword(cString(md5Password(requirePassword(password, "md5"), user, salt)));
                        }
                        case 10 -> {
                            String mechanisms = StandardCharsets.UTF_8.decode(m.body).toString();
                            if (!mechanisms.contains("SCRAM-SHA-256")) {
                                throw authFailed("the server offers no supported SASL mechanism: " + mechanisms);
                            }
                            currentScram = new ScramClient(requirePassword(password, "SCRAM-SHA-256"));
                            byte[] first = currentScram.clientFirst();
                            PgBuffer body = new PgBuffer();
                            body.putCString("SCRAM-SHA-256").putInt(first.length).put(first);
                            sendPassword(body.toByteArray());
                        }
                        case 11 -> sendPassword(scramStep(() -> scram(m).clientFinal(rest(m.body))));
                        case 12 -> scramStep(() -> {
                            scram(m).verifyServerFinal(rest(m.body));
                            return null;
                        });
                        default -> throw authFailed("unsupported authentication request " + code);
                    }
                }
                case 'S' -> {
                    MessageReader r = new MessageReader('S', m.body);
                    parameters.put(r.readCString(), r.readCString());
                }
                case 'E' -> throw new PgException(new MessageReader('E', m.body).readErrorFields());
                case 'Z' -> {
                    return;
                }
                default -> {
                    // BackendKeyData, notices
                }
            }
        }
    }

    /** The SASL exchange in progress during startup. */
    private ScramClient currentScram;

    private ScramClient scram(Message m) throws GeneralSecurityException {
        if (currentScram == null) {
            throw new GeneralSecurityException("SCRAM message " + m.type + " before SASL started");
        }
        return currentScram;
    }

    private interface ScramStep {
        byte[] run() throws GeneralSecurityException;
    }

    private static byte[] scramStep(ScramStep step) throws PgException {
        try {
            return step.run();
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw authFailed("SCRAM authentication failed: " + e.getMessage());
        }
    }

    private Result collect() throws PgException {
        List<String> columns = List.of();
        List<List<String>> rows = new ArrayList<>();
        String tag = "";
        PgException error = null;
        while (true) {
            Message m = read();
            switch (m.type) {
                case 'T' -> {
                    List<String> names = new ArrayList<>();
                    new MessageReader('T', m.body).readRowDescription().forEach(c -> names.add(c.name()));
                    columns = names;
                    rows = new ArrayList<>();
                }
                case 'D' -> {
                    int n = m.body.getShort();
                    List<String> row = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        int len = m.body.getInt();
                        if (len < 0) {
                            row.add(null);
                        } else {
                            byte[] b = new byte[len];
                            m.body.get(b);
                            row.add(new String(b, StandardCharsets.UTF_8));
                        }
                    }
                    rows.add(row);
                }
                case 'C' -> tag = rest(m.body).replace("\0", "");
                case 'E' -> error = new PgException(new MessageReader('E', m.body).readErrorFields());
                case 'S' -> {
                    MessageReader r = new MessageReader('S', m.body);
                    parameters.put(r.readCString(), r.readCString());
                }
                case 'Z' -> {
                    if (error != null) {
                        throw error;
                    }
                    return new Result(columns, rows, tag);
                }
                default -> {
                    // ParseComplete, BindComplete, NoData, notices
                }
            }
        }
    }

    private record Message(char type, ByteBuffer body) {
    }

    private Message read() throws PgException {
        try {
            fill(5);
            char type = (char) (in.get() & 0xFF);
            int length = in.getInt();
            if (length < 4 || length > (1 << 30)) {
                throw lost("invalid message length " + length);
            }
            byte[] body = new byte[length - 4];
            int copied = 0;
            while (copied < body.length) {
                if (!in.hasRemaining()) {
                    fill(1);
                }
                int k = Math.min(in.remaining(), body.length - copied);
                in.get(body, copied, k);
                copied += k;
            }
            return new Message(type, ByteBuffer.wrap(body));
        } catch (IOException e) {
            close();
            throw lost(e.getMessage());
        }
    }

    private void fill(int needed) throws IOException {
        while (in.remaining() < needed) {
            in.compact();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new EOFException("PostgreSQL closed the connection");
            }
        }
    }

    private void send() throws PgException {
        ByteBuffer b = out.asByteBuffer();
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            close();
            throw lost(e.getMessage());
        }
    }

    private void sendPassword(byte[] body) throws PgException {
        out.clear();
        FrontendMessages.password(out, body);
        send();
    }

    private static String requirePassword(String password, String method) throws PgException {
        if (password == null) {
            throw authFailed("PostgreSQL asks for a password (" + method + ") but none is configured");
        }
        return password;
    }

    /** "md5" + md5(md5(password + user) + salt), as hex. */
    private static String md5Password(String password, String user, byte[] salt) throws PgException {
        try {
            HexFormat hex = HexFormat.of();
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            String inner = hex.formatHex(md5.digest((password + user).getBytes(StandardCharsets.UTF_8)));
            md5.reset();
            md5.update(inner.getBytes(StandardCharsets.US_ASCII));
            md5.update(salt);
            return "md5" + hex.formatHex(md5.digest());
        } catch (GeneralSecurityException e) {
            throw authFailed(e.getMessage());
        }
    }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] c = new byte[b.length + 1];
        System.arraycopy(b, 0, c, 0, b.length);
        return c;
    }

    private static String rest(ByteBuffer b) {
        return StandardCharsets.UTF_8.decode(b.slice()).toString();
    }

    private static PgException authFailed(String message) {
        return new PgException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, message);
    }

    private static PgException lost(String why) {
        return new PgException(ErrorFields.error(SqlState.CONNECTION_FAILURE, "the service connection to PostgreSQL "
                + "was lost: " + why));
    }
}
