package io.extensa.pgwire.relay;

import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.message.FrontendMessages;
import io.extensa.pgwire.message.PgBuffer;
import io.extensa.pgwire.message.ServerMessages;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The untyped packets a client may send before its StartupMessage. Layouts (all big-endian):
 * <pre>
 *  SSLRequest      int32 8,  int32 80877103            -> 'S' and TLS, or 'N'
 *  GSSENCRequest   int32 8,  int32 80877104            -> 'N' (no GSSAPI encryption)
 *  CancelRequest   int32 16, int32 80877102, int32 pid, int32 key
 *  StartupMessage  int32 len, int32 196608 (3.0), (String name, String value)*, byte 0
 * </pre>
 * The length is checked against the configured cap before the body is read, so an oversized or
 * bogus length costs nothing but the connection.
 */
final class StartupNegotiator {

    /** What the client asked for: a session, or a cancel of another session. */
    sealed interface Outcome {
        record Session(StartupPacket packet, Transport transport) implements Outcome {
        }

        record Cancel(int pid, int key) implements Outcome {
        }
    }

    private final int maxPacket;
    private final SSLContext tls;

    StartupNegotiator(int maxPacket, SSLContext tls) {
        this.maxPacket = maxPacket;
        this.tls = tls;
    }

    /** Runs the negotiation; returns null when the client hung up or sent something unusable (already answered). */
    Outcome negotiate(SocketChannel channel) throws IOException {
        Transport transport = Transport.of(channel);
        boolean encryptionAnswered = false;
        while (true) {
            ByteBuffer lengthBytes = ByteBuffer.allocate(4);
            if (!readFully(transport, lengthBytes, true)) {
                return null;
            }
            int length = lengthBytes.flip().getInt();
            if (length < 8 || length > maxPacket) {
                reject(transport, SqlState.PROTOCOL_VIOLATION, length > maxPacket
                        ? "startup packet of " + length + " bytes exceeds the limit of " + maxPacket
                        : "invalid startup packet length " + length);
                return null;
            }
            ByteBuffer body = ByteBuffer.allocate(length - 4);
            readFully(transport, body, false);
            body.flip();
            int code = body.getInt();
            switch (code) {
                case FrontendMessages.SSL_REQUEST_CODE -> {
                    if (encryptionAnswered || length != 8) {
                        reject(transport, SqlState.PROTOCOL_VIOLATION, "unexpected SSLRequest");
                        return null;
                    }
                    encryptionAnswered = true;
                    if (tls == null || transport.secure()) {
                        transport.write(ByteBuffer.wrap(new byte[] {'N'}));
                    } else {
                        transport.write(ByteBuffer.wrap(new byte[] {'S'}));
                        transport = upgrade(channel);
                    }
                }
                case FrontendMessages.GSSENC_REQUEST_CODE -> transport.write(ByteBuffer.wrap(new byte[] {'N'}));
                case FrontendMessages.CANCEL_REQUEST_CODE -> {
                    if (length != 16) {
                        return null;
                    }
                    return new Outcome.Cancel(body.getInt(), body.getInt());
                }
                default -> {
                    if (code >>> 16 != 3) {
                        reject(transport, SqlState.FEATURE_NOT_SUPPORTED, "unsupported frontend protocol "
                                + (code >>> 16) + "." + (code & 0xFFFF) + ": server supports 3.0");
                        return null;
                    }
                    Map<String, String> parameters = parseParameters(body);
                    if (parameters == null || !parameters.containsKey("user")) {
                        reject(transport, SqlState.PROTOCOL_VIOLATION, parameters == null
                                ? "malformed startup packet" : "no PostgreSQL user name specified in startup packet");
                        return null;
                    }
                    byte[] raw = new byte[length];
                    ByteBuffer.wrap(raw).putInt(length).put(body.rewind());
                    return new Outcome.Session(new StartupPacket(raw, code, parameters), transport);
                }
            }
        }
    }

    private Transport upgrade(SocketChannel channel) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(channel.socket(), null, true);
        ssl.setUseClientMode(false);
        ssl.startHandshake();
        return Transport.of(ssl);
    }

    private static Map<String, String> parseParameters(ByteBuffer body) {
        Map<String, String> parameters = new LinkedHashMap<>();
        while (body.hasRemaining()) {
            String name = cString(body);
            if (name == null) {
                return null;
            }
            if (name.isEmpty()) {
                return body.hasRemaining() ? null : parameters;
            }
            String value = cString(body);
            if (value == null) {
                return null;
            }
            parameters.put(name, value);
        }
        return null;
    }

    private static String cString(ByteBuffer b) {
        int start = b.position();
        for (int i = start; i < b.limit(); i++) {
            if (b.get(i) == 0) {
                byte[] s = new byte[i - start];
                b.get(s);
                b.get();
                return new String(s, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void reject(Transport transport, String sqlState, String message) {
        PgBuffer out = new PgBuffer();
        ServerMessages.errorResponse(out, ErrorFields.error(sqlState, message).with('S', "FATAL").with('V', "FATAL"));
        try {
            transport.write(out.asByteBuffer());
        } catch (IOException ignored) {
            // the client may already be gone
        }
    }

    static boolean readFully(Transport transport, ByteBuffer buffer, boolean eofAllowedAtStart) throws IOException {
        boolean started = false;
        while (buffer.hasRemaining()) {
            int n = transport.read(buffer);
            if (n < 0) {
                if (!started && eofAllowedAtStart) {
                    return false;
                }
                throw new EOFException("client closed the connection during startup");
            }
            started = true;
        }
        return true;
    }
}
