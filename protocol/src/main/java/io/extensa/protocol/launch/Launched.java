package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * LAUNCHED (0x41, launchpad to engine): the satellite process runs.
 * <pre>
 *  tag kind  field
 *  1   TEXT  job_id
 *  2   INT   pid       the satellite's process id, as the launchpad sees it
 *  3   TEXT  work_dir  the job's private working directory
 *  4   BOOL  warm      true when a fork server forked it, false for a fresh exec
 *  5   TEXT  worker    the OS account the satellite runs as
 * </pre>
 */
public record Launched(String jobId, long pid, String workDir, boolean warm, String worker) implements ControlMessage {

    private static final int JOB_ID_TAG = 1;
    private static final int PID_TAG = 2;
    private static final int WORK_DIR_TAG = 3;
    private static final int WARM_TAG = 4;
    private static final int WORKER_TAG = 5;

    @Override
    public MessageType type() {
        return MessageType.LAUNCHED;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder()
                .text(JOB_ID_TAG, jobId)
                .int64(PID_TAG, pid)
                .text(WORK_DIR_TAG, workDir)
                .bool(WARM_TAG, warm)
                .text(WORKER_TAG, worker);
    }

    static Launched decode(FieldCursor fields) throws ProtocolException {
        String jobId = null;
        Long pid = null;
        String workDir = null;
        boolean warm = false;
        String worker = "";
        while (fields.next()) {
            switch (fields.tag()) {
                case JOB_ID_TAG -> jobId = fields.asText();
                case PID_TAG -> pid = fields.asInt();
                case WORK_DIR_TAG -> workDir = fields.asText();
                case WARM_TAG -> warm = fields.asBool();
                case WORKER_TAG -> worker = fields.asText();
                default -> fields.skipUnknown();
            }
        }
        return new Launched(Fields.require(jobId, "LAUNCHED", "1 job_id"), Fields.require(pid, "LAUNCHED", "2 pid"),
                Fields.require(workDir, "LAUNCHED", "3 work_dir"), warm, worker);
    }
}
