package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * FORKED (0x61, fork server to launchpad): the child for the oldest outstanding FORK exists.
 * <pre>
 *  tag kind  field
 *  1   TEXT  job_id
 *  2   INT   pid     the child's process id
 * </pre>
 */
public record Forked(String jobId, long pid) implements ControlMessage {

    private static final int JOB_ID_TAG = 1;
    private static final int PID_TAG = 2;

    @Override
    public MessageType type() {
        return MessageType.FORKED;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().text(JOB_ID_TAG, jobId).int64(PID_TAG, pid);
    }

    static Forked decode(FieldCursor fields) throws ProtocolException {
        String jobId = null;
        Long pid = null;
        while (fields.next()) {
            switch (fields.tag()) {
                case JOB_ID_TAG -> jobId = fields.asText();
                case PID_TAG -> pid = fields.asInt();
                default -> fields.skipUnknown();
            }
        }
        return new Forked(Fields.require(jobId, "FORKED", "1 job_id"), Fields.require(pid, "FORKED", "2 pid"));
    }
}
