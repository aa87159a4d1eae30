package io.extensa.engine.script;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.message.End;
import io.extensa.protocol.message.Message;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One of the satellites of a call that runs on several units or satellites. A writer thread
 * sends its frames from a short queue and a reader thread posts what it says to the call's
 * shared event queue, so the thread that drives the call never blocks on one satellite while
 * another needs attention. The unit bookkeeping is touched only by that driving thread.
 */
final class SatelliteWorker implements AutoCloseable {

    /** What a satellite said, or why it stopped talking. */
    record Event(SatelliteWorker from, Message message, PgException failure) {
    }

    /** A frame waiting to be sent. */
    record Frame(MessageType type, PayloadBuilder payload) {
    }

    private static final int SEND_QUEUE = 4;
    private static final Frame STOP = new Frame(null, null);

    final int index;
    final ScriptJob job;
    private final BlockingQueue<Frame> outbound = new ArrayBlockingQueue<>(SEND_QUEUE);
    private Thread reader;
    private Thread writer;

    // ---- unit bookkeeping (driving thread only) ----
    /** units started so far; the next unit's number */
    long unitsStarted;
    /** the unit whose rows were all sent but whose END_OF_INPUT waits to know whether it is the last */
    long deferredEnd = -1;
    /** with runs of units: the rows of the run's units, in order, and its first unit's number */
    long[] runRows = new long[16];
    int runUnits;
    long runRowsTotal;
    long runFirst;
    /** the rows of the run whose END_OF_INPUT is deferred (null: a single unit) */
    long[] deferredRunRows;
    /** partition keys of the units sent and not yet answered, oldest first (empty lists without partitions) */
    final Deque<byte[][]> keysInFlight = new ArrayDeque<>();
    /** the columns of the unit the satellite is answering (null: it set no output) */
    java.util.List<io.extensa.protocol.message.ColumnSpec> unitSchema;
    /** how that unit's rows become DataRows, made at its first batch */
    OutputColumns unitColumns;
    /** the key the satellite named in its ERROR (units it grouped by key itself) */
    io.extensa.protocol.batch.Batch unitKey;
    /** rows dealt to this satellite (partitions dealt by key hash) */
    long shareRows;
    /** OUTPUT_PARAMS, sent after the last unit */
    io.extensa.protocol.message.OutputParams parameters;
    boolean ended;
    boolean skipped;

    SatelliteWorker(int index, ScriptJob job) {
        this.index = index;
        this.job = job;
    }

    /** Starts the threads; events go to {@code events}. */
    void start(BlockingQueue<Event> events) {
        String name = "extensa-job-" + job.jobId();
        writer = Thread.ofPlatform().daemon().name(name + "-send").start(this::writeLoop);
        reader = Thread.ofPlatform().daemon().name(name + "-receive").start(() -> readLoop(events));
    }

    /** Queues a frame without waiting; false when the queue is full (the satellite is busy). */
    boolean offer(Frame frame) {
        return outbound.offer(frame);
    }

    /** Queues a frame, waiting up to {@code millis} for room; false when the queue stayed full. */
    boolean offer(Frame frame, long millis) throws PgException {
        try {
            return outbound.offer(frame, millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgException(io.extensa.pgwire.SqlState.QUERY_CANCELED,
                    "canceling statement: the server is shutting down");
        }
    }

    /** A finished unit joins the open run. */
    void addRunUnit(long rows) {
        if (runUnits == runRows.length) {
            runRows = java.util.Arrays.copyOf(runRows, runUnits * 2);
        }
        runRows[runUnits++] = rows;
        runRowsTotal += rows;
    }

    /** The open run is complete: its END_OF_INPUT waits, like a single unit's, to know whether it is the last. */
    void closeRun() {
        deferredEnd = runFirst;
        deferredRunRows = java.util.Arrays.copyOf(runRows, runUnits);
        runUnits = 0;
        runRowsTotal = 0;
    }

    long outstandingUnits() {
        return keysInFlight.size();
    }

    private void writeLoop() {
        try {
            while (true) {
                Frame f = outbound.take();
                if (f == STOP) {
                    return;
                }
                job.send(f.type(), f.payload());
            }
        } catch (PgException e) {
            // The satellite closed its end. The receiver reports why, after whatever the satellite
            // said before closing (its ERROR first of all), so the writer stays silent.
        } catch (InterruptedException e) {
            // closing
        }
    }

    private void readLoop(BlockingQueue<Event> events) {
        try {
            while (true) {
                Message m = job.read();
                events.put(new Event(this, m, null));
                if (m instanceof End) {
                    return;
                }
            }
        } catch (PgException e) {
            try {
                events.put(new Event(this, null, e));
            } catch (InterruptedException ignored) {
                // closing
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** Stops the satellite now; safe from any thread. */
    void cancel() {
        job.cancel();
    }

    @Override
    public void close() {
        job.close();
        if (writer != null) {
            writer.interrupt();
        }
        if (reader != null) {
            reader.interrupt();
        }
        outbound.clear();
        outbound.offer(STOP);
    }

    void awaitThreads(long millis) throws InterruptedException {
        if (writer != null) {
            writer.join(millis);
        }
        if (reader != null) {
            reader.join(millis);
        }
    }
}
