package io.extensa.pgwire.relay;

import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.SessionInterceptor;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The client thread's read loop. Frontend messages are {@code byte type, int32 length (includes
 * itself), body}. Most are forwarded to PostgreSQL straight from the read buffer, several per
 * write; a message is copied and queued for the worker only when the gateway must answer or
 * inspect it: a Query or Parse whose SQL the interceptor may want, any message naming a
 * statement or portal the gateway owns, and everything behind such a message while the worker
 * is busy (so nothing overtakes it).
 */
final class ClientPump {

    private static final int BUFFER_SIZE = 64 * 1024;

    private final GatewaySession session;
    private ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    /** Bytes of a large forwarded message still to pass through as they arrive. */
    private long passthrough;

    ClientPump(GatewaySession session) {
        this.session = session;
    }

    void run() throws IOException {
        try {
            while (!session.isClosed()) {
                int n = session.client.read(buffer);
                if (n < 0) {
                    return;
                }
                buffer.flip();
                if (!process()) {
                    return;
                }
                buffer.compact();
                if (buffer.capacity() > BUFFER_SIZE && buffer.position() < BUFFER_SIZE) {
                    ByteBuffer smaller = ByteBuffer.allocate(BUFFER_SIZE);
                    buffer.flip();
                    smaller.put(buffer);
                    buffer = smaller;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Handles every complete message in the buffer; false when the session must end. */
    private boolean process() throws IOException, InterruptedException {
        int forwardFrom = buffer.position();
        while (true) {
            if (passthrough > 0) {
                int k = (int) Math.min(passthrough, buffer.remaining());
                buffer.position(buffer.position() + k);
                passthrough -= k;
                if (passthrough > 0) {
                    break;
                }
                continue;
            }
            int at = buffer.position();
            if (buffer.remaining() < 5) {
                break;
            }
            char type = (char) (buffer.get(at) & 0xFF);
            int length = buffer.getInt(at + 1);
            if (length < 4 || length > session.env.config().maxMessage()) {
                forward(forwardFrom, at);
                session.sendFatal(SqlState.PROTOCOL_VIOLATION,
                        "invalid length " + Integer.toUnsignedString(length) + " in message of type '"
                                + printable(type) + "'");
                session.close("protocol violation from client");
                return false;
            }
            int total = length + 1;
            Route route = route(type);
            if (route == Route.FORWARD) {
                session.tracker.sent(type);
                if (buffer.remaining() >= total) {
                    buffer.position(at + total);
                } else {
                    passthrough = total - buffer.remaining();
                    buffer.position(buffer.limit());
                }
                continue;
            }
            if (buffer.remaining() < total) {
                // wait for the rest of a message we must see whole
                forward(forwardFrom, at);
                grow(total);
                return true;
            }
            if (route == Route.INSPECT && !wantsInterception(type, at + 5, length - 4)) {
                session.tracker.sent(type);
                buffer.position(at + total);
                continue;
            }
            forward(forwardFrom, at);
            byte[] body = new byte[length - 4];
            buffer.get(at + 5, body);
            buffer.position(at + total);
            forwardFrom = buffer.position();
            session.enqueue(new FrontendMessage(type, body));
        }
        forward(forwardFrom, buffer.position());
        return true;
    }

    private enum Route { FORWARD, INSPECT, QUEUE }

    private Route route(char type) {
        if (session.workerActive) {
            return Route.QUEUE;
        }
        SessionWorker worker = session.worker;
        if (worker == null || session.interceptor == null) {
            // still authenticating, or a relay-only session
            return Route.FORWARD;
        }
        boolean plain = worker.ownsNothing() && !worker.skippingUntilSync();
        return switch (type) {
            case 'Q' -> plain ? Route.INSPECT : Route.QUEUE;
            case 'P' -> plain ? Route.INSPECT : Route.QUEUE;
            case 'B', 'D', 'E', 'C' -> plain ? Route.FORWARD : Route.QUEUE;
            default -> worker.skippingUntilSync() ? Route.QUEUE : Route.FORWARD;
        };
    }

    /** Looks at the SQL of a Query or Parse with the interceptor's cheap byte test. */
    private boolean wantsInterception(char type, int bodyStart, int bodyLength) {
        SessionInterceptor interceptor = session.interceptor;
        if (interceptor == null) {
            return false;
        }
        byte[] array = buffer.array();
        int base = buffer.arrayOffset();
        int start = bodyStart;
        int end = bodyStart + bodyLength;
        if (type == 'P') {
            while (start < end && array[base + start] != 0) {
                start++;
            }
            start++;
        }
        int sqlEnd = start;
        while (sqlEnd < end && array[base + sqlEnd] != 0) {
            sqlEnd++;
        }
        if (start >= end) {
            return true;
        }
        return interceptor.mayIntercept(array, base + start, sqlEnd - start);
    }

    private void forward(int from, int to) throws IOException {
        if (to > from) {
            session.backend.write(buffer.duplicate().position(from).limit(to));
        }
    }

    /** Makes room for a whole message; leaves the buffer positioned like process() expects before compact(). */
    private void grow(int messageSize) {
        if (messageSize > buffer.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocate(messageSize);
            bigger.put(buffer);
            bigger.flip();
            buffer = bigger;
        }
    }

    private static String printable(char type) {
        return type >= 32 && type < 127 ? String.valueOf(type) : String.format("\\x%02x", (int) type);
    }
}
