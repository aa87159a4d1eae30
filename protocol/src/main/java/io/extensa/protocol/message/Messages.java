package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.FrameWriter;
import io.extensa.protocol.wire.ProtocolException;

import java.io.IOException;

/** The one place that turns frames into typed messages, and messages into frames. */
public final class Messages {

    private Messages() {
    }

    public static Message decode(Frame frame) throws ProtocolException {
        FieldCursor fields = frame.fields();
        return switch (frame.type()) {
            case HELLO -> Hello.decode(fields);
            case WELCOME -> Welcome.decode(fields);
            case SESSION_INIT -> SessionInit.decode(fields);
            case INPUT_BATCH -> InputBatch.decode(fields);
            case END_OF_INPUT -> EndOfInput.decode(fields);
            case OUTPUT_SCHEMA -> OutputSchema.decode(fields);
            case OUTPUT_BATCH -> OutputBatch.decode(fields);
            case OUTPUT_END -> OutputEnd.decode(fields);
            case STDOUT -> Stdout.decode(fields);
            case STDERR -> Stderr.decode(fields);
            case OUTPUT_PARAMS -> OutputParams.decode(fields);
            case ERROR -> ErrorMessage.decode(fields);
            case CANCEL -> Cancel.decode(fields);
            case HEARTBEAT -> Heartbeat.decode(fields);
            case END -> End.decode(fields);
            case FORK -> Fork.decode(fields);
            case FORKED -> Forked.decode(fields);
            case CHILD_EXITED -> ChildExited.decode(fields);
            case QUERY -> Query.decode(fields);
            case QUERY_RESULT -> QueryResult.decode(fields);
            case QUERY_BATCH -> QueryBatch.decode(fields);
            case QUERY_END -> QueryEnd.decode(fields);
            case QUERY_ERROR -> QueryError.decode(fields);
            case LAUNCH, LAUNCHED, EXITED, CANCEL_JOB, STATUS_REQUEST, STATUS, POOLS, POOLS_APPLIED, ACTIVATE, ACTIVATED ->
                    throw new ProtocolException(frame.type() + " belongs to the launch-control channel, not here");
        };
    }

    /** Writes a message as one frame. */
    public static void write(FrameWriter writer, Message message) throws IOException {
        writer.write(message.type(), message.encode());
    }
}
