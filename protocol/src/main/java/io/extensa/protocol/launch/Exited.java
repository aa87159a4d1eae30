package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * EXITED (0x42, launchpad to engine): the satellite process ended, for whatever reason. Sent at
 * most once per job, always after LAUNCHED.
 * <pre>
 *  tag kind  field
 *  1   TEXT  job_id
 *  2   INT   exit_code    the process's exit status, -1 when a signal ended it
 *  3   INT   signal       the signal that ended it, 0 when it exited
 *  4   TEXT  reason       "exited", "killed", "cancelled", "timeout", "oom"
 *  5   TEXT  stderr_tail  the last bytes the process wrote to its own stdout/stderr (UTF-8, lossy at the cut)
 *  6   INT   memory_limit for reason "oom": the job's memory limit in bytes; 0 otherwise
 * </pre>
 */
public record Exited(String jobId, int exitCode, int signal, ExitReason reason, String stderrTail,
                     long memoryLimitBytes) implements ControlMessage {

    private static final int JOB_ID_TAG = 1;
    private static final int EXIT_CODE_TAG = 2;
    private static final int SIGNAL_TAG = 3;
    private static final int REASON_TAG = 4;
    private static final int STDERR_TAIL_TAG = 5;
    private static final int MEMORY_LIMIT_TAG = 6;

    public Exited {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(reason, "reason");
        stderrTail = stderrTail == null ? "" : stderrTail;
        if (memoryLimitBytes < 0) {
            throw new IllegalArgumentException("memory_limit must not be negative: " + memoryLimitBytes);
        }
    }

    public Exited(String jobId, int exitCode, int signal, ExitReason reason, String stderrTail) {
        this(jobId, exitCode, signal, reason, stderrTail, 0);
    }

    /** True when a signal ended the process. */
    public boolean signalled() {
        return signal != 0;
    }

    @Override
    public MessageType type() {
        return MessageType.EXITED;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder()
                .text(JOB_ID_TAG, jobId)
                .int64(EXIT_CODE_TAG, exitCode)
                .int64(SIGNAL_TAG, signal)
                .text(REASON_TAG, reason.wireName())
                .text(STDERR_TAIL_TAG, stderrTail)
                .int64(MEMORY_LIMIT_TAG, memoryLimitBytes);
    }

    static Exited decode(FieldCursor fields) throws ProtocolException {
        String jobId = null;
        Integer exitCode = null;
        int signal = 0;
        String reasonName = null;
        String tail = "";
        long memoryLimit = 0;
        while (fields.next()) {
            switch (fields.tag()) {
                case JOB_ID_TAG -> jobId = fields.asText();
                case EXIT_CODE_TAG -> exitCode = fields.asInt32();
                case SIGNAL_TAG -> signal = fields.asInt32();
                case REASON_TAG -> reasonName = fields.asText();
                case STDERR_TAIL_TAG -> tail = fields.asText();
                case MEMORY_LIMIT_TAG -> memoryLimit = Math.max(0, fields.asInt());
                default -> fields.skipUnknown();
            }
        }
        Fields.require(reasonName, "EXITED", "4 reason");
        ExitReason reason = ExitReason.fromWireName(reasonName);
        if (reason == null) {
            throw new ProtocolException("EXITED: unknown reason '" + reasonName + "'");
        }
        return new Exited(Fields.require(jobId, "EXITED", "1 job_id"), Fields.require(exitCode, "EXITED", "2 exit_code"),
                signal, reason, tail, memoryLimit);
    }
}
