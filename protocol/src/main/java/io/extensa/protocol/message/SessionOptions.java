package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * SESSION_INIT's options, for streaming and parallel execution.
 * <pre>
 *  1 rows_per_read INT (0: not streaming)  2 task_index INT (0-based)  3 task_count INT (at least 1)
 * </pre>
 */
public record SessionOptions(long rowsPerRead, long taskIndex, long taskCount) {

    public static final SessionOptions DEFAULT = new SessionOptions(0, 0, 1);

    void encode(PayloadBuilder out) {
        out.int64(1, rowsPerRead);
        out.int64(2, taskIndex);
        out.int64(3, taskCount);
    }

    static SessionOptions decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "options");
        long rowsPerRead = DEFAULT.rowsPerRead;
        long taskIndex = DEFAULT.taskIndex;
        long taskCount = DEFAULT.taskCount;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> rowsPerRead = in.int64();
                case 2 -> taskIndex = in.int64();
                case 3 -> taskCount = in.int64();
                default -> in.unknown();
            }
        }
        if (rowsPerRead < 0 || taskCount < 1 || taskIndex < 0 || taskIndex >= taskCount) {
            throw in.invalid("rows_per_read=" + rowsPerRead + " task_index=" + taskIndex + " task_count=" + taskCount);
        }
        return new SessionOptions(rowsPerRead, taskIndex, taskCount);
    }
}
