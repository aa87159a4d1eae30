package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * ACTIVATE (0x48, engine to launchpad, on a standby job's connection): the engine has a call for
 * the standby satellite. The launchpad admits the job to its pool (waiting in the pool's queue
 * like a LAUNCH) and answers ACTIVATED, or ERROR and ends the job.
 * <pre>
 *  tag kind  field
 *  1   TEXT  job_id            must name the connection's job
 *  2   INT   queue_timeout_ms  optional: the longest the job may wait for a slot; 0 = the
 *                              launchpad's launchpad.queue_timeout_ms
 * </pre>
 */
public record Activate(String jobId, long queueTimeoutMillis) implements ControlMessage {

    private static final int JOB_ID_TAG = 1;
    private static final int QUEUE_TIMEOUT_TAG = 2;

    public Activate {
        LaunchRequest.checkJobId(jobId);
        if (queueTimeoutMillis < 0) {
            throw new IllegalArgumentException("queue_timeout_ms must not be negative: " + queueTimeoutMillis);
        }
    }

    /** How long the job may wait for a pool slot, or empty for the launchpad's own limit. */
    public java.util.Optional<java.time.Duration> queueTimeout() {
        return queueTimeoutMillis == 0 ? java.util.Optional.empty()
                : java.util.Optional.of(java.time.Duration.ofMillis(queueTimeoutMillis));
    }

    @Override
    public MessageType type() {
        return MessageType.ACTIVATE;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().text(JOB_ID_TAG, jobId).int64(QUEUE_TIMEOUT_TAG, queueTimeoutMillis);
    }

    static Activate decode(FieldCursor fields) throws ProtocolException {
        String jobId = null;
        long queueTimeout = 0;
        while (fields.next()) {
            switch (fields.tag()) {
                case JOB_ID_TAG -> jobId = fields.asText();
                case QUEUE_TIMEOUT_TAG -> queueTimeout = fields.asInt();
                default -> fields.skipUnknown();
            }
        }
        Fields.require(jobId, "ACTIVATE", "1 job_id");
        try {
            return new Activate(jobId, queueTimeout);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("ACTIVATE: " + e.getMessage());
        }
    }
}
