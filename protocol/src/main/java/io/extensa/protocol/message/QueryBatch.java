package io.extensa.protocol.message;

import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * QUERY_BATCH 0x28, engine to satellite: rows of a loopback statement, in the schema its
 * QUERY_RESULT announced. The payload is a {@link Batch}, exactly like INPUT_BATCH:
 * <pre>
 *  1 row_count INT  2 column STRUCT* (one per result column)
 * </pre>
 */
public record QueryBatch(Batch batch) implements Message {

    public QueryBatch {
        Objects.requireNonNull(batch, "batch");
    }

    @Override
    public MessageType type() {
        return MessageType.QUERY_BATCH;
    }

    @Override
    public PayloadBuilder encode() {
        return batch.encode();
    }

    public static QueryBatch decode(FieldCursor fields) throws ProtocolException {
        return new QueryBatch(Batch.decode(fields));
    }
}
