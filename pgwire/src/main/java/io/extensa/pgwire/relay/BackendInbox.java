package io.extensa.pgwire.relay;

import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.CopyDataHandler;
import io.extensa.pgwire.message.MessageReader;
import io.extensa.pgwire.relay.MessageAssembler.Message;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What PostgreSQL sends while the worker owns the backend, and the hand-over of its socket between
 * the backend thread (the pump) and the worker. When the engine takes over, the pump hands in what
 * it had already read and parks; from then on the worker reads the socket itself, except during a
 * COPY IN, when the pump reads for it so an early error can be seen without blocking. PostgreSQL's
 * asynchronous messages met on the way (notices, notifications, parameter changes) go on to the
 * client. All state shared with the pump is guarded by the session's mode lock.
 */
final class BackendInbox {

    private final GatewaySession session;
    private final ClientOutput client;
    private final MessageAssembler in = new MessageAssembler();

    BackendInbox(GatewaySession session, ClientOutput client) {
        this.session = session;
        this.client = client;
    }

    /** Takes the socket from the relay once the pump is between messages. */
    void claim() throws PgException, InterruptedException {
        synchronized (session.modeLock) {
            while ((session.relaying || session.midMessage) && !session.backendEof) {
                session.modeLock.wait(100);
            }
            if (session.backendEof) {
                throw lost();
            }
            session.engineMode = true;
            session.pumpReadsForEngine = false;
        }
    }

    /** Gives the socket back to the relay, first passing on complete messages that arrived meanwhile. */
    void handBack() {
        try {
            while (!endTurnIfDrained()) {
                takeQueued();
                Message m;
                while ((m = in.poll()) != null) {
                    passOn(m);
                }
                client.flush();
                if (in.hasPartial()) {
                    waitForBytes();
                }
            }
        } catch (PgException e) {
            // the backend is gone; the session is being closed
        }
    }

    /** The next message for the engine; notices and the like are passed on to the client. */
    Message next() throws PgException {
        while (true) {
            Message m = in.poll();
            if (m != null) {
                if (m.type() == 'N' || m.type() == 'A' || m.type() == 'S') {
                    passOn(m);
                    client.flush();
                    continue;
                }
                return m;
            }
            waitForBytes();
        }
    }

    /** Hands every complete CopyData message at the front to the handler (see MessageAssembler). */
    void drainCopyData(CopyDataHandler handler) throws PgException {
        in.drainCopyData(handler);
    }

    /**
     * Without blocking: an ErrorResponse the pump has already read (PostgreSQL rejecting COPY data
     * early), or null. Other messages read meanwhile go on to the client.
     */
    Message earlyError() throws PgException {
        takeQueued();
        Message m;
        boolean passed = false;
        while ((m = in.poll()) != null) {
            if (m.type() == 'E') {
                return m;
            }
            passOn(m);
            passed = true;
        }
        if (passed) {
            client.flush();
        }
        return null;
    }

    /** Whether the pump should read the socket for the engine instead of staying parked. */
    void pumpReadsForEngine(boolean reads) {
        synchronized (session.modeLock) {
            session.pumpReadsForEngine = reads;
            session.modeLock.notifyAll();
        }
    }

    PgException lost() {
        return new PgException(ErrorFields.error(SqlState.CONNECTION_FAILURE,
                "the connection to PostgreSQL was lost").with('S', "FATAL").with('V', "FATAL"));
    }

    /** Ends the engine's turn when nothing is queued or partial (or the backend is gone); false otherwise. */
    private boolean endTurnIfDrained() {
        synchronized (session.modeLock) {
            if (session.engineQueue.isEmpty() && !in.hasPartial() || session.backendEof) {
                session.engineMode = false;
                session.pumpReadsForEngine = false;
                session.modeLock.notifyAll();
                return true;
            }
            return false;
        }
    }

    /** Moves the chunks the pump queued into the assembler. */
    private void takeQueued() {
        byte[][] chunks;
        synchronized (session.modeLock) {
            if (session.engineQueue.isEmpty()) {
                return;
            }
            chunks = session.engineQueue.toArray(new byte[0][]);
            session.engineQueue.clear();
            session.modeLock.notifyAll();
        }
        for (byte[] c : chunks) {
            in.add(c);
        }
    }

    /**
     * More bytes for the assembler: a chunk the pump queued, or, once the pump is parked, what the
     * socket has. A parked pump is not woken per read: only taking a queued chunk makes room it may
     * wait for.
     */
    private void waitForBytes() throws PgException {
        byte[] chunk;
        synchronized (session.modeLock) {
            while (session.engineQueue.isEmpty() && !session.backendEof
                    && !(session.pumpParked && !session.pumpReadsForEngine)) {
                try {
                    session.modeLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PgException(SqlState.QUERY_CANCELED, "interrupted");
                }
            }
            chunk = session.engineQueue.poll();
            if (chunk == null && session.backendEof) {
                throw lost();
            }
            if (chunk != null) {
                session.modeLock.notifyAll();
            }
        }
        if (chunk != null) {
            in.add(chunk);
            return;
        }
        int n;
        try {
            n = in.readFrom(session.backend);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            synchronized (session.modeLock) {
                session.backendEof = true;
                session.modeLock.notifyAll();
            }
            throw lost();
        }
    }

    private void passOn(Message m) {
        if (m.type() == 'S') {
            recordParameter(m.body());
        }
        client.raw(m.type(), m.body());
    }

    private void recordParameter(ByteBuffer body) {
        try {
            MessageReader r = new MessageReader('S', body);
            session.parameterStatus.put(r.readCString(), r.readCString());
        } catch (PgException ignored) {
            // a malformed ParameterStatus is PostgreSQL's problem, not worth failing the statement
        }
    }
}
