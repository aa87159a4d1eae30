package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * CHILD_EXITED 0x62, fork server to launchpad: a forked child was reaped.
 * <pre>
 *  1 job_id TEXT  2 pid INT  3 exit_code INT (-1 when killed by a signal)  4 signal INT (0 when none)
 * </pre>
 */
public record ChildExited(String jobId, long pid, int exitCode, int signal) implements Message {

    public ChildExited {
        Objects.requireNonNull(jobId, "jobId");
    }

    @Override
    public MessageType type() {
        return MessageType.CHILD_EXITED;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().text(1, jobId).int64(2, pid).int64(3, exitCode).int64(4, signal);
    }

    public static ChildExited decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "CHILD_EXITED");
        String jobId = null;
        long pid = 0;
        int exitCode = 0;
        int signal = 0;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> jobId = in.text();
                case 2 -> pid = in.int64();
                case 3 -> exitCode = in.int32();
                case 4 -> signal = in.int32();
                default -> in.unknown();
            }
        }
        in.require(1, "job_id");
        in.require(2, "pid");
        in.require(3, "exit_code");
        in.require(4, "signal");
        return new ChildExited(jobId, pid, exitCode, signal);
    }
}
