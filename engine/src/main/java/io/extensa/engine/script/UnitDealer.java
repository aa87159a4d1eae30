package io.extensa.engine.script;

import io.extensa.engine.types.DataRowDecoder;
import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.message.EndOfInput;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Cuts the input rows of a multi-unit call into units and deals them to the satellites: plain
 * {@code @parallel = 1} shares a batch at a time, one unit per chunk of {@code @r_rowsPerRead}
 * rows, one per partition of sorted input (in runs where every satellite takes runs), or, for
 * hashed partitions, whole shares that each satellite groups itself.
 *
 * <p>Frames wait in {@link #pending} until their satellite's queue has room. A unit's
 * END_OF_INPUT is held back until the satellite's next unit starts or the input ends, because the
 * protocol marks a satellite's last unit on that frame; a satellite that never got a unit (an
 * empty share) is stopped without running the script.
 */
final class UnitDealer {

    /**
     * Partitions go to a satellite in runs: consecutive partitions share batches and one
     * END_OF_INPUT until the run holds this many rows (or units), so small partitions cost a slice
     * of one DataFrame in the satellite rather than a frame, a DataFrame and an END_OF_INPUT each.
     */
    private static final long RUN_ROWS = 8192;
    private static final int RUN_UNITS = 4096;

    /** A frame for a satellite, sent when its queue has room. */
    record Pending(SatelliteWorker to, SatelliteWorker.Frame frame) {
    }

    private final List<SatelliteWorker> workers;
    private final InputShape shape;
    private final long rowsPerRead;
    private final boolean runs;
    private final Deque<Pending> pending = new ArrayDeque<>();
    /** flushed when a unit ends, so its last rows go out before the next unit's */
    private DataRowDecoder decoder;
    /** the satellite receiving the current unit's rows (units mode) */
    private SatelliteWorker feeding;
    private long unitRows;
    private byte[][] currentKey;
    private int shareCursor;
    private long units;

    /**
     * @param runs partitions are sent in runs of units (every satellite offered unit_runs)
     */
    UnitDealer(List<SatelliteWorker> workers, InputShape shape, long rowsPerRead, boolean runs) {
        this.workers = workers;
        this.shape = shape;
        this.rowsPerRead = rowsPerRead;
        this.runs = runs;
    }

    /** The decoder whose batches come to {@link #batchFilled}. */
    void decodeWith(DataRowDecoder decoder) {
        this.decoder = decoder;
    }

    /** Plain {@code @parallel = 1}: one unit per satellite, the input dealt out a batch at a time. */
    static boolean sharesMode(InputShape shape, long rowsPerRead) {
        return !shape.partitioned() && rowsPerRead <= 0;
    }

    Deque<Pending> pending() {
        return pending;
    }

    /** Units begun (or, with hashed partitions, reported by {@link #countUnit}). */
    long units() {
        return units;
    }

    /** Hashed partitions: the satellite cut the unit, the engine learns of it as it is answered. */
    void countUnit() {
        units++;
    }

    /** A DataRow of the input (already decoded into the current batch by the caller, after this). */
    void row(ByteBuffer body) throws PgException {
        if (shape.partitioned()) {
            if (feeding == null || !PartitionKeys.sameKey(body, shape.partitionColumns(), currentKey)
                    || rowsPerRead > 0 && unitRows == rowsPerRead) {
                startUnit(PartitionKeys.extract(body, shape.partitionColumns()));
            }
        } else if (rowsPerRead > 0 && (feeding == null || unitRows == rowsPerRead)) {
            startUnit(null);
        }
        unitRows++;
    }

    /**
     * A unit begins: the previous one is complete, the next goes to the least busy satellite (or,
     * with runs, to the same satellite while its run has room).
     */
    private void startUnit(byte[][] key) throws PgException {
        if (runs && feeding != null) {
            feeding.addRunUnit(unitRows);
            if (feeding.runRowsTotal < RUN_ROWS && feeding.runUnits < RUN_UNITS) {
                beginUnitOn(feeding, key);
                currentKey = key;
                unitRows = 0;
                return;
            }
        }
        decoder.flush();
        if (feeding != null) {
            if (runs) {
                feeding.closeRun();
            } else {
                feeding.deferredEnd = feeding.unitsStarted - 1;
            }
        }
        SatelliteWorker next = workers.get(0);
        for (SatelliteWorker w : workers) {
            if (w.outstandingUnits() < next.outstandingUnits()) {
                next = w;
            }
        }
        next.runFirst = next.unitsStarted;
        beginUnitOn(next, key);
        feeding = next;
        currentKey = key;
        unitRows = 0;
    }

    private void beginUnitOn(SatelliteWorker w, byte[][] key) {
        if (w.deferredEnd >= 0) {
            queue(w, new EndOfInput(false, w.deferredEnd, w.deferredRunRows).encode(), MessageType.END_OF_INPUT);
            w.deferredEnd = -1;
            w.deferredRunRows = null;
        }
        w.unitsStarted++;
        w.keysInFlight.addLast(key == null ? new byte[0][] : key);
        units++;
    }

    /** A full batch (or the rest of a unit) goes to the satellite of the current unit, or to the next share. */
    void batchFilled(BatchBuilder full) {
        SatelliteWorker to;
        if (sharesMode(shape, rowsPerRead)) {
            to = workers.get(shareCursor);
            shareCursor = (shareCursor + 1) % workers.size();
            if (to.unitsStarted == 0) {
                beginUnitOn(to, null);
            }
        } else {
            to = feeding;
        }
        queue(to, PayloadBuilder.encoded(full.encode().toByteBuffer()), MessageType.INPUT_BATCH);
    }

    private void queue(SatelliteWorker to, PayloadBuilder payload, MessageType type) {
        pending.addLast(new Pending(to, new SatelliteWorker.Frame(type, payload)));
    }

    /** The input is over: every satellite's last unit is marked; one that got none is stopped. */
    void finishUnits() {
        if (units == 0) {
            // no rows at all: the script still runs once, on an empty input, as a serial call would
            beginUnitOn(workers.get(0), null);
        }
        if (feeding != null) {
            if (runs) {
                feeding.addRunUnit(unitRows);
                feeding.closeRun();
            } else {
                feeding.deferredEnd = feeding.unitsStarted - 1;
            }
        }
        for (SatelliteWorker w : workers) {
            if (w.unitsStarted == 0) {
                stop(w);
            } else {
                long unit = w.deferredEnd >= 0 ? w.deferredEnd : w.unitsStarted - 1;
                queue(w, new EndOfInput(true, unit, w.deferredRunRows).encode(), MessageType.END_OF_INPUT);
                w.deferredEnd = -1;
                w.deferredRunRows = null;
            }
        }
    }

    /**
     * Hashed partitions: each satellite that got rows groups them (END_OF_INPUT group_by, its only
     * one); one that got none is stopped. Without any row the script runs once on an empty input,
     * as a serial call would.
     */
    void finishShares(long rowsIn) {
        for (int i = 0; i < workers.size(); i++) {
            SatelliteWorker w = workers.get(i);
            if (w.shareRows > 0) {
                w.unitsStarted = 1;
                queue(w, EndOfInput.grouped(true, 0, shape.partitionColumns()).encode(), MessageType.END_OF_INPUT);
            } else if (i == 0 && rowsIn == 0) {
                w.unitsStarted = 1;
                queue(w, new EndOfInput(true, 0).encode(), MessageType.END_OF_INPUT);
            } else {
                stop(w);
            }
        }
    }

    private static void stop(SatelliteWorker w) {
        w.skipped = true;
        w.ended = true;
        w.close();
    }
}
