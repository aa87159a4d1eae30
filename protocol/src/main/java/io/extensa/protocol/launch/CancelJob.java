package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * CANCEL_JOB (0x43, engine to launchpad, on the job's connection): kill the job's process tree
 * now; the launchpad answers EXITED with reason "cancelled" unless the satellite already ended.
 * <pre>
 *  tag kind  field
 *  1   TEXT  job_id  must name the connection's job
 * </pre>
 */
public record CancelJob(String jobId) implements ControlMessage {

    private static final int JOB_ID_TAG = 1;

    @Override
    public MessageType type() {
        return MessageType.CANCEL_JOB;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().text(JOB_ID_TAG, jobId);
    }

    static CancelJob decode(FieldCursor fields) throws ProtocolException {
        String jobId = null;
        while (fields.next()) {
            if (fields.tag() == JOB_ID_TAG) {
                jobId = fields.asText();
            } else {
                fields.skipUnknown();
            }
        }
        return new CancelJob(Fields.require(jobId, "CANCEL_JOB", "1 job_id"));
    }
}
