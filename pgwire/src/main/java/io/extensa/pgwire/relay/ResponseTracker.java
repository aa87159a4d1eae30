package io.extensa.pgwire.relay;

/**
 * Counts what PostgreSQL still owes for the frontend messages forwarded to it, so the gateway
 * knows when every earlier response has reached the client and it may answer a message itself
 * without reordering anything.
 *
 * <p>Each forwarded Parse, Bind, Describe, Execute, Close, Sync, Query and FunctionCall opens a
 * "unit" that a specific backend message closes: ParseComplete, BindComplete, RowDescription or
 * NoData, CommandComplete / EmptyQueryResponse / PortalSuspended, CloseComplete, ReadyForQuery.
 * An ErrorResponse during the extended protocol closes the current unit and every unit before the
 * next Sync, because PostgreSQL discards those messages; until that Sync arrives new messages
 * open no units either. Asynchronous messages (NoticeResponse, NotificationResponse,
 * ParameterStatus) close nothing.
 */
final class ResponseTracker {

    private static final byte QUERY = 'Q';
    private static final byte SYNC = 'S';

    private byte[] units = new byte[64];
    private int head;
    private int count;
    private boolean skippingUntilSync;
    private boolean waiting;
    private boolean executedSinceSync;

    /** Records a frontend message that was forwarded to PostgreSQL. */
    synchronized void sent(int frontendType) {
        if (frontendType == 'E' || frontendType == 'F') {
            executedSinceSync = true;
        } else if (frontendType == 'S' || frontendType == 'Q') {
            executedSinceSync = false;
        }
        switch (frontendType) {
            case 'P', 'B', 'D', 'E', 'C', 'Q', 'F' -> {
                if (!skippingUntilSync) {
                    push((byte) frontendType);
                }
            }
            case 'S' -> push(SYNC);
            default -> {
                // Flush, CopyData/Done/Fail, Terminate and password messages open no unit
            }
        }
    }

    /** Records a backend message relayed to the client; returns true when nothing is owed any more. */
    synchronized boolean received(int backendType) {
        if (count == 0) {
            return false;
        }
        byte unit = units[head];
        boolean closes = switch (unit) {
            case QUERY, 'F' -> backendType == 'Z';
            case SYNC -> backendType == 'Z';
            case 'P' -> backendType == '1';
            case 'B' -> backendType == '2';
            case 'D' -> backendType == 'T' || backendType == 'n';
            case 'E' -> backendType == 'C' || backendType == 'I' || backendType == 's';
            case 'C' -> backendType == '3';
            default -> false;
        };
        if (closes) {
            if (unit == SYNC) {
                skippingUntilSync = false;
            }
            pop();
        } else if (backendType == 'E' && unit != QUERY && unit != 'F' && unit != SYNC) {
            pop();
            while (count > 0 && units[head] != SYNC) {
                pop();
            }
            if (count == 0) {
                skippingUntilSync = true;
            }
        } else if (backendType == 'Z') {
            // ReadyForQuery always ends a Query/Sync; if we disagree, trust PostgreSQL and resync
            clear();
        }
        if (count == 0 && waiting) {
            notifyAll();
        }
        return count == 0;
    }

    synchronized int pending() {
        return count;
    }

    /** True when an Execute or FunctionCall went to PostgreSQL since the last Sync or Query. */
    synchronized boolean executedSinceSync() {
        return executedSinceSync;
    }

    /** True when an error made PostgreSQL discard messages until the next Sync. */
    synchronized boolean skippingUntilSync() {
        return skippingUntilSync;
    }

    /** True when the last unit still owed is a Sync or Query (PostgreSQL will flush by itself). */
    synchronized boolean endsWithSync() {
        if (count == 0) {
            return true;
        }
        byte last = units[(head + count - 1) % units.length];
        return last == SYNC || last == QUERY || last == 'F';
    }

    /** Waits until nothing is owed; returns false if the session closed meanwhile. */
    synchronized boolean awaitIdle(java.util.function.BooleanSupplier closed) throws InterruptedException {
        while (count > 0) {
            if (closed.getAsBoolean()) {
                return false;
            }
            waiting = true;
            try {
                wait(200);
            } finally {
                waiting = false;
            }
        }
        return true;
    }

    synchronized void clear() {
        head = 0;
        count = 0;
        skippingUntilSync = false;
        notifyAll();
    }

    private void push(byte unit) {
        if (count == units.length) {
            byte[] grown = new byte[units.length * 2];
            for (int i = 0; i < count; i++) {
                grown[i] = units[(head + i) % units.length];
            }
            units = grown;
            head = 0;
        }
        units[(head + count) % units.length] = unit;
        count++;
    }

    private void pop() {
        head = (head + 1) % units.length;
        count--;
    }
}
