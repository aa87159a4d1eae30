package io.extensa.pgwire.relay;

import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.TransactionStatus;
import io.extensa.pgwire.message.PgBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend thread: reads PostgreSQL and relays to the client. During authentication it reads
 * whole messages because two need rewriting: BackendKeyData (the client gets a gateway key) and
 * AuthenticationSASL (channel-binding mechanisms cannot survive a relay, so "-PLUS" ones are
 * withdrawn). Afterwards it passes chunks through, noting only message boundaries. While the
 * worker owns the backend, the pump hands it what it had already read and then parks: the worker
 * reads the socket itself, as a hand-off per chunk (a thread wake-up every 8 KB of a COPY) would
 * cost more CPU than decoding the rows.
 */
final class BackendPump implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(BackendPump.class);
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int AUTH_SASL = 10;
    /** Backpressure while the worker consumes: PostgreSQL waits rather than the gateway's heap growing. */
    private static final int MAX_QUEUED_CHUNKS = 32;

    private final GatewaySession session;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private final RelayScanner scanner = new RelayScanner();
    private final List<int[]> pending = new ArrayList<>();
    private int lastType;

    BackendPump(GatewaySession session) {
        this.session = session;
        buffer.limit(0);
    }

    @Override
    public void run() {
        try {
            if (authenticate()) {
                relay();
            }
        } catch (IOException e) {
            if (!session.isClosed()) {
                log.debug("session {}: backend read failed: {}", session.id, e.getMessage());
            }
        } catch (RuntimeException e) {
            log.error("session {}: backend pump failed", session.id, e);
        } finally {
            backendGone();
        }
    }

    // ---- startup: whole messages ----

    private boolean authenticate() throws IOException {
        int pid = 0;
        int realKey = 0;
        while (true) {
            if (!fillMessage()) {
                return false;
            }
            int type = buffer.get(buffer.position()) & 0xFF;
            int length = buffer.getInt(buffer.position() + 1);
            ByteBuffer body = buffer.slice(buffer.position() + 5, length - 4);
            ByteBuffer original = buffer.slice(buffer.position(), length + 1);
            buffer.position(buffer.position() + length + 1);
            switch (type) {
                case 'R' -> toClient(body.getInt(0) == AUTH_SASL ? withoutChannelBinding(body) : original);
                case 'K' -> {
                    pid = body.getInt(0);
                    realKey = body.getInt(4);
                    PgBuffer out = new PgBuffer(16);
                    io.extensa.pgwire.message.ServerMessages.backendKeyData(out, pid, session.newGatewayKey());
                    toClient(out.asByteBuffer());
                }
                case 'S' -> {
                    recordParameter(toArray(body));
                    toClient(original);
                }
                case 'Z' -> {
                    session.transactionStatus = TransactionStatus.fromCode(body.get(0));
                    session.established(pid, realKey);
                    toClient(original);
                    buffer.compact().flip();
                    return true;
                }
                default -> toClient(original);
            }
            lastType = type;
        }
    }

    /** Ensures one whole message is at the buffer's position (buffer in read mode); false at EOF. */
    private boolean fillMessage() throws IOException {
        while (true) {
            if (buffer.remaining() >= 5) {
                int length = buffer.getInt(buffer.position() + 1);
                if (length < 4 || length > BUFFER_SIZE - 1) {
                    throw new IOException("unexpected message of length " + length + " during authentication");
                }
                if (buffer.remaining() >= length + 1) {
                    return true;
                }
            }
            buffer.compact();
            int n = session.backend.read(buffer);
            buffer.flip();
            if (n < 0) {
                return false;
            }
        }
    }

    /** AuthenticationSASL: int32 10, then mechanism names (String)*, then 0. */
    private static ByteBuffer withoutChannelBinding(ByteBuffer body) {
        PgBuffer out = new PgBuffer();
        out.begin('R').putInt(AUTH_SASL);
        int pos = 4;
        while (pos < body.limit() && body.get(pos) != 0) {
            int end = pos;
            while (body.get(end) != 0) {
                end++;
            }
            byte[] name = new byte[end - pos];
            body.get(pos, name);
            if (!new String(name, StandardCharsets.UTF_8).endsWith("-PLUS")) {
                out.put(name).put(0);
            }
            pos = end + 1;
        }
        out.put(0).end();
        return out.asByteBuffer();
    }

    // ---- steady state: chunks ----

    private void relay() throws IOException {
        while (true) {
            if (!buffer.hasRemaining()) {
                if (!sitOutEngineTurn()) {
                    return;
                }
                buffer.clear();
                int n = session.backend.read(buffer);
                if (n < 0) {
                    return;
                }
                buffer.flip();
            }
            synchronized (session.modeLock) {
                while (session.engineMode && session.engineQueue.size() >= MAX_QUEUED_CHUNKS && !session.isClosed()) {
                    try {
                        session.modeLock.wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (session.engineMode) {
                    byte[] chunk = new byte[buffer.remaining()];
                    buffer.get(chunk);
                    session.engineQueue.add(chunk);
                    session.modeLock.notifyAll();
                    continue;
                }
                session.relaying = true;
            }
            pending.clear();
            scanner.scan(buffer, (type, body) -> pending.add(new int[] {type, statusOf(type, body)}));
            toClient(buffer);
            buffer.position(buffer.limit());
            for (int[] event : pending) {
                lastType = event[0];
                if (event[0] == 'Z' && event[1] != 0) {
                    session.transactionStatus = TransactionStatus.fromCode(event[1]);
                }
                session.tracker.received(event[0]);
            }
            synchronized (session.modeLock) {
                session.relaying = false;
                session.midMessage = scanner.midMessage();
                session.modeLock.notifyAll();
            }
        }
    }

    /**
     * While the worker owns the backend, stays off the socket (the worker reads it directly) until
     * the worker gives it back or asks it to read again. False when the session ended or the
     * backend is gone meanwhile.
     */
    private boolean sitOutEngineTurn() {
        synchronized (session.modeLock) {
            if (!session.engineMode || session.pumpReadsForEngine) {
                return true;
            }
            session.pumpParked = true;
            session.modeLock.notifyAll();
            try {
                while (session.engineMode && !session.pumpReadsForEngine && !session.isClosed()) {
                    session.modeLock.wait(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                session.pumpParked = false;
            }
            return !session.backendEof && !session.isClosed();
        }
    }

    private int statusOf(int type, byte[] body) {
        if (type == 'Z' && body != null && body.length == 1) {
            return body[0];
        }
        if (type == 'S' && body != null) {
            recordParameter(body);
        }
        return 0;
    }

    /** ParameterStatus body: String name, String value. */
    private void recordParameter(byte[] body) {
        int nul = 0;
        while (nul < body.length && body[nul] != 0) {
            nul++;
        }
        if (nul + 1 < body.length) {
            String name = new String(body, 0, nul, StandardCharsets.UTF_8);
            int end = body.length - 1;
            String value = new String(body, nul + 1, Math.max(0, end - nul - 1), StandardCharsets.UTF_8);
            session.parameterStatus.put(name, value);
        }
    }

    private void toClient(ByteBuffer bytes) throws IOException {
        session.clientWriteLock.lock();
        try {
            session.client.write(bytes.duplicate());
        } catch (IOException e) {
            session.close("client write failed: " + e.getMessage());
            throw e;
        } finally {
            session.clientWriteLock.unlock();
        }
    }

    private void backendGone() {
        boolean workerOwnsIt;
        synchronized (session.modeLock) {
            session.backendEof = true;
            workerOwnsIt = session.engineMode;
            session.modeLock.notifyAll();
        }
        if (session.isClosed()) {
            return;
        }
        if (!workerOwnsIt) {
            if (!scanner.midMessage() && lastType != 'E') {
                session.sendFatal(SqlState.CONNECTION_FAILURE, "the connection to PostgreSQL was lost");
            }
            session.close("backend closed the connection");
        }
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

}
