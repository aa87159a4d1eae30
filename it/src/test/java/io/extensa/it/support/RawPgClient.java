package io.extensa.it.support;

import io.extensa.pgwire.client.ScramClient;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * A bare PostgreSQL protocol client for tests that must send what no driver would: it logs in
 * (SCRAM-SHA-256, with pgwire's client-side ScramClient) and then writes raw bytes and reads raw
 * messages.
 */
public final class RawPgClient implements AutoCloseable {

    /** One backend message: type and body. */
    public record Message(char type, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private int backendPid;
    private int cancelKey;

    private RawPgClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    public static RawPgClient open(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(30_000);
        return new RawPgClient(s);
    }

    /** Connects and authenticates; returns after the first ReadyForQuery. */
    public static RawPgClient login(int port, String user, String password) throws IOException {
        RawPgClient c = open(port);
        c.startup(user, "extensa");
        c.authenticate(user, password);
        return c;
    }

    public void startup(String user, String database) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(body);
        d.writeInt(196608);
        for (String s : new String[] {"user", user, "database", database}) {
            d.write(s.getBytes(StandardCharsets.UTF_8));
            d.write(0);
        }
        d.write(0);
        out.writeInt(body.size() + 4);
        out.write(body.toByteArray());
        out.flush();
    }

    private void authenticate(String user, String password) throws IOException {
        ScramClient scram = new ScramClient(password);
        while (true) {
            Message m = read();
            switch (m.type()) {
                case 'R' -> {
                    int code = java.nio.ByteBuffer.wrap(m.body()).getInt();
                    switch (code) {
                        case 0 -> {
                            // AuthenticationOk
                        }
                        case 10 -> {
                            if (!m.text().contains("SCRAM-SHA-256")) {
                                throw new IOException("no SCRAM-SHA-256 offered: " + m.text());
                            }
                            byte[] first = scram.clientFirst();
                            ByteArrayOutputStream b = new ByteArrayOutputStream();
                            DataOutputStream d = new DataOutputStream(b);
                            d.write("SCRAM-SHA-256".getBytes(StandardCharsets.UTF_8));
                            d.write(0);
                            d.writeInt(first.length);
                            d.write(first);
                            send('p', b.toByteArray());
                        }
                        case 11 -> {
                            try {
                                send('p', scram.clientFinal(saslData(m)));
                            } catch (GeneralSecurityException e) {
                                throw new IOException(e);
                            }
                        }
                        case 12 -> {
                            try {
                                scram.verifyServerFinal(saslData(m));
                            } catch (GeneralSecurityException e) {
                                throw new IOException(e);
                            }
                        }
                        default -> throw new IOException("unsupported authentication request " + code);
                    }
                }
                case 'K' -> {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(m.body());
                    backendPid = b.getInt();
                    cancelKey = b.getInt();
                }
                case 'E' -> throw new IOException("login failed: " + m.text());
                case 'Z' -> {
                    return;
                }
                default -> {
                    // ParameterStatus, notices
                }
            }
        }
    }

    public int backendPid() {
        return backendPid;
    }

    public int cancelKey() {
        return cancelKey;
    }

    public void send(char type, byte[] body) throws IOException {
        out.write(type);
        out.writeInt(body.length + 4);
        out.write(body);
        out.flush();
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void query(String sql) throws IOException {
        byte[] s = sql.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[s.length + 1];
        System.arraycopy(s, 0, body, 0, s.length);
        send('Q', body);
    }

    /** One raw byte (the answer to SSLRequest / GSSENCRequest). */
    public int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed");
        }
        return b;
    }

    /** The next message; throws EOFException when the server closed the connection. */
    public Message read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed");
        }
        int length = in.readInt();
        if (length < 4 || length > (1 << 30)) {
            throw new IOException("bad length " + length);
        }
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new Message((char) type, body);
    }

    /** Reads until ReadyForQuery; returns every message before it. */
    public java.util.List<Message> readUntilReady() throws IOException {
        java.util.List<Message> messages = new java.util.ArrayList<>();
        while (true) {
            Message m = read();
            if (m.type() == 'Z') {
                return messages;
            }
            messages.add(m);
        }
    }

    /** True when the server closed the connection (EOF or reset) within the socket timeout. */
    public boolean closedByServer() {
        try {
            while (true) {
                read();
            }
        } catch (IOException e) {
            return true;
        }
    }

    public void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // test cleanup
        }
    }

    /** Closes abruptly: RST instead of FIN, like a crashed client. */
    public void abort() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // test cleanup
        }
    }

    /** The SASL data after the authentication code of an 'R' message. */
    private static String saslData(Message m) {
        return new String(m.body(), 4, m.body().length - 4, StandardCharsets.UTF_8);
    }
}
