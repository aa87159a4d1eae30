package io.extensa.engine.script.parallelread;

import io.extensa.engine.types.CopyBinaryReader;
import io.extensa.engine.types.InputColumnPlan;
import io.extensa.engine.types.InputTypes;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.client.PgClient;
import io.extensa.pgwire.intercept.Cancellation;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.wire.PayloadBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the readers of one parallel input read: each on its own thread COPYs its range in binary
 * and decodes it into batches; the caller's thread sends the batches to the satellite as they
 * come (a bounded queue between them), watches for cancellation, and fails the call with the
 * first reader's error. The owner closes the connections afterwards, which also stops readers
 * still running.
 */
final class ParallelReaders {

    private static final Logger log = LoggerFactory.getLogger(ParallelReaders.class);
    private static final long POLL_MILLIS = 100;

    private record Done(long rows) {
    }

    /** A full batch for destination {@code share} (always 0 when nothing routes the rows). */
    private record Routed(int share, PayloadBuilder batch, int rows) {
    }

    private record Failed(Throwable error) {
    }

    private final List<PgClient> readers;
    private final List<String> queries;
    private final ParallelInput.Decoders decoders;
    private final Cancellation cancellation;
    private final String callId;
    private final BlockingQueue<Object> queue;
    private volatile boolean stopped;

    ParallelReaders(List<PgClient> readers, List<String> queries, ParallelInput.Decoders decoders,
                    Cancellation cancellation, String callId) {
        this.readers = readers;
        this.queries = queries;
        this.decoders = decoders;
        this.cancellation = cancellation;
        this.callId = callId;
        this.queue = new ArrayBlockingQueue<>(2 * readers.size());
    }

    /** Reads every range; returns the rows read. */
    long run(ParallelInput.RoutedSender sender) throws PgException {
        long started = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < readers.size(); k++) {
            int index = k;
            threads.add(Thread.ofPlatform().daemon().name("extensa-pread-" + callId + "-" + k)
                    .start(() -> readRange(index)));
        }
        long rows = 0;
        long waitedNanos = 0;
        long sendNanos = 0;
        int finished = 0;
        try {
            while (finished < readers.size()) {
                cancellation.throwIfCancelled();
                long t0 = System.nanoTime();
                Object item = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                long t1 = System.nanoTime();
                waitedNanos += t1 - t0;
                if (item instanceof Routed routed) {
                    try {
                        sender.send(routed.share(), routed.batch(), routed.rows());
                    } catch (PgException e) {
                        // a cancel kills the satellite: report the cancel, not the broken pipe
                        cancellation.throwIfCancelled();
                        throw e;
                    }
                    sendNanos += System.nanoTime() - t1;
                } else if (item instanceof Done done) {
                    rows += done.rows();
                    finished++;
                } else if (item instanceof Failed failed) {
                    throw asPgException(failed.error());
                }
            }
            log.debug("call {}: {} rows over {} readers in {} ms (waiting for readers {} ms, sending {} ms)", callId,
                    rows, readers.size(), (System.nanoTime() - started) / 1_000_000, waitedNanos / 1_000_000,
                    sendNanos / 1_000_000);
            return rows;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgException(SqlState.QUERY_CANCELED, "the parallel input read was interrupted");
        } finally {
            stopped = true;
            if (finished < readers.size()) {
                // a reader blocked in COPY stops when its connection closes under it
                readers.forEach(PgClient::close);
            }
            for (Thread t : threads) {
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    private void readRange(int index) {
        try {
            // the encoded batch references the builder's buffers, reused for the next batch: queue a copy
            CopyBinaryReader decoder = decoders.create((share, full) -> hand(new Routed(share,
                    PayloadBuilder.encoded(full.encode().toByteBuffer()), full.rowCount())));
            readers.get(index).copyOut("COPY (" + queries.get(index) + ") TO STDOUT (FORMAT binary)", decoder);
            hand(new Done(decoder.finish()));
        } catch (Throwable e) {
            if (!stopped) {
                try {
                    hand(new Failed(e));
                } catch (PgException ignored) {
                    // stopped meanwhile: the caller's thread has its own error
                }
            }
        }
    }

    /** Queues an item for the caller's thread, giving up once the read is stopped. */
    private void hand(Object item) throws PgException {
        try {
            while (!queue.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (stopped) {
                    throw new PgException(SqlState.QUERY_CANCELED, "the parallel input read stopped");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgException(SqlState.QUERY_CANCELED, "the parallel input read was interrupted");
        }
    }

    private static PgException asPgException(Throwable e) {
        if (e instanceof PgException pg && pg.sqlState().equals(SqlState.CONNECTION_FAILURE)) {
            // PgClient words it for its usual service connection; say which connection it was
            return new PgException(SqlState.CONNECTION_FAILURE, "a reader of the parallel input read lost its "
                    + "connection to PostgreSQL (" + pg.getMessage() + ")", pg);
        }
        if (e instanceof PgException pg) {
            return pg;
        }
        return new PgException(ErrorFields.error(SqlState.INTERNAL_ERROR, "the parallel input read failed: " + e));
    }
}
