package io.extensa.protocol.message;

import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * ERROR 0x30, either direction; from a satellite it ends the job. On the fork-server channel it
 * answers a FORK that failed, with the job id in {@code detail}.
 * <pre>
 *  1 kind TEXT ({@link ErrorKind})  2 exception TEXT (optional, e.g. ZeroDivisionError)  3 message TEXT
 *  4 traceback TEXT* (lines)  5 line INT (script line, omitted when unknown)  6 detail TEXT (optional)
 *  7 unit_key STRUCT (optional, a batch of one row: the key of the failing unit of an END_OF_INPUT with group_by)
 * </pre>
 *
 * @param kind the wire name of an {@link ErrorKind}; unknown kinds are kept as sent
 * @param line the script's line number, 0 when unknown
 * @param unitKey the failing unit's key columns (one row, in group_by order); null when the engine cut the units
 */
public record ErrorMessage(String kind, String exception, String message, List<String> traceback, long line,
                           String detail, Batch unitKey) implements Message {

    public ErrorMessage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        traceback = List.copyOf(traceback);
    }

    public ErrorMessage(String kind, String exception, String message, List<String> traceback, long line,
                        String detail) {
        this(kind, exception, message, traceback, line, detail, null);
    }

    public static ErrorMessage of(ErrorKind kind, String message) {
        return new ErrorMessage(kind.wireName(), null, message, List.of(), 0, null);
    }

    /** The kind, or {@link ErrorKind#INTERNAL} for one this version does not know. */
    public ErrorKind errorKind() {
        return ErrorKind.fromWireName(kind).orElse(ErrorKind.INTERNAL);
    }

    @Override
    public MessageType type() {
        return MessageType.ERROR;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder out = new PayloadBuilder();
        out.text(1, kind);
        if (exception != null) {
            out.text(2, exception);
        }
        out.text(3, message);
        for (String frameLine : traceback) {
            out.text(4, frameLine);
        }
        if (line != 0) {
            out.int64(5, line);
        }
        if (detail != null) {
            out.text(6, detail);
        }
        if (unitKey != null) {
            out.beginStruct(7);
            unitKey.encode(out);
            out.endStruct();
        }
        return out;
    }

    public static ErrorMessage decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "ERROR");
        String kind = null;
        String exception = null;
        String message = null;
        List<String> traceback = new ArrayList<>();
        long line = 0;
        String detail = null;
        Batch unitKey = null;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> kind = in.text();
                case 2 -> exception = in.text();
                case 3 -> message = in.text();
                case 4 -> traceback.add(in.textElement());
                case 5 -> line = in.int64();
                case 6 -> detail = in.text();
                case 7 -> {
                    unitKey = Batch.decode(in.struct());
                    if (unitKey.rowCount() != 1) {
                        throw in.invalid("unit_key has " + unitKey.rowCount() + " rows, not 1");
                    }
                }
                default -> in.unknown();
            }
        }
        in.require(1, "kind");
        in.require(3, "message");
        return new ErrorMessage(kind, exception, message, traceback, line, detail, unitKey);
    }
}
