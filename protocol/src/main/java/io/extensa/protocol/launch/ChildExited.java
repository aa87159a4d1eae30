package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * CHILD_EXITED (0x62, fork server to launchpad): a forked child ended and was reaped.
 * <pre>
 *  tag kind  field
 *  1   TEXT  job_id
 *  2   INT   pid
 *  3   INT   exit_code  -1 when a signal ended it
 *  4   INT   signal     0 when it exited
 * </pre>
 */
public record ChildExited(String jobId, long pid, int exitCode, int signal) implements ControlMessage {

    private static final int JOB_ID_TAG = 1;
    private static final int PID_TAG = 2;
    private static final int EXIT_CODE_TAG = 3;
    private static final int SIGNAL_TAG = 4;

    @Override
    public MessageType type() {
        return MessageType.CHILD_EXITED;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().text(JOB_ID_TAG, jobId).int64(PID_TAG, pid).int64(EXIT_CODE_TAG, exitCode)
                .int64(SIGNAL_TAG, signal);
    }

    static ChildExited decode(FieldCursor fields) throws ProtocolException {
        String jobId = null;
        Long pid = null;
        Integer exitCode = null;
        int signal = 0;
        while (fields.next()) {
            switch (fields.tag()) {
                case JOB_ID_TAG -> jobId = fields.asText();
                case PID_TAG -> pid = fields.asInt();
                case EXIT_CODE_TAG -> exitCode = fields.asInt32();
                case SIGNAL_TAG -> signal = fields.asInt32();
                default -> fields.skipUnknown();
            }
        }
        return new ChildExited(Fields.require(jobId, "CHILD_EXITED", "1 job_id"),
                Fields.require(pid, "CHILD_EXITED", "2 pid"), Fields.require(exitCode, "CHILD_EXITED", "3 exit_code"),
                signal);
    }
}
