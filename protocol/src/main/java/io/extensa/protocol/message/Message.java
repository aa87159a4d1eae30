package io.extensa.protocol.message;

import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;

/**
 * A typed message of the satellite session or the fork-server channel. Encoding writes the
 * canonical form: fields in ascending tag order, absent optional fields omitted.
 * {@link Messages#decode} turns a received frame into one.
 */
public sealed interface Message permits Hello, Welcome, SessionInit, InputBatch, EndOfInput, OutputSchema,
        OutputBatch, OutputEnd, Stdout, Stderr, OutputParams, ErrorMessage, Cancel, Heartbeat, End,
        Fork, Forked, ChildExited, Query, QueryResult, QueryBatch, QueryEnd, QueryError {

    MessageType type();

    PayloadBuilder encode();
}
