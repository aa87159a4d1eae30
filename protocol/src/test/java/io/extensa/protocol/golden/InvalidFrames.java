package io.extensa.protocol.golden;

import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.golden.GoldenFiles.InvalidCase;
import io.extensa.protocol.wire.FrameHeader;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** Byte sequences every receiver must reject with a protocol error (or end-of-stream error). */
final class InvalidFrames {

    private InvalidFrames() {
    }

    static Map<String, InvalidCase> cases() {
        Map<String, InvalidCase> out = new LinkedHashMap<>();
        byte[] cancel = frame(MessageType.CANCEL.code(), 0, new byte[0]);

        out.put("bad_magic", new InvalidCase("magic is not 'EXTS'",
                header(0x54584553, 1, MessageType.CANCEL.code(), 0, 0)));
        out.put("bad_version", new InvalidCase("protocol version 2",
                header(FrameHeader.MAGIC, 2, MessageType.CANCEL.code(), 0, 0)));
        out.put("length_not_multiple_of_8", new InvalidCase("payload length 12",
                concat(header(FrameHeader.MAGIC, 1, MessageType.CANCEL.code(), 12, 0), new byte[16])));
        out.put("length_over_limit", new InvalidCase("payload length 0xFFFFFFF8 (4 GB) exceeds the maximum",
                header(FrameHeader.MAGIC, 1, MessageType.CANCEL.code(), 0xFFFFFFF8, 0)));
        out.put("sequence_gap", new InvalidCase("frames numbered 0 then 2",
                concat(cancel, frame(MessageType.CANCEL.code(), 2, new byte[0]))));
        out.put("sequence_not_zero", new InvalidCase("the first frame is numbered 1",
                frame(MessageType.CANCEL.code(), 1, new byte[0])));
        out.put("truncated_header", new InvalidCase("the stream ends 10 bytes into a header",
                java.util.Arrays.copyOf(cancel, 10)));
        out.put("truncated_payload", new InvalidCase("the header announces 16 payload bytes, 8 follow",
                concat(header(FrameHeader.MAGIC, 1, MessageType.HEARTBEAT.code(), 16, 0),
                        java.util.Arrays.copyOf(payload(new PayloadBuilder().int64(1, 1)), 8))));
        out.put("unknown_message_type", new InvalidCase("message type 0x7E",
                frame(0x7E, 0, new byte[0])));
        out.put("field_overrun", new InvalidCase("a TEXT field claims 100 bytes where 8 remain",
                frame(MessageType.STDOUT.code(), 0, concat(fieldHeader(1, 4, 0, 100), "abcdefgh".getBytes()))));
        out.put("unknown_field_kind", new InvalidCase("field kind 9",
                frame(MessageType.HEARTBEAT.code(), 0, concat(fieldHeader(1, 9, 0, 8), new byte[8]))));
        out.put("int_wrong_length", new InvalidCase("an INT field of 4 bytes",
                frame(MessageType.HEARTBEAT.code(), 0, concat(fieldHeader(1, 1, 0, 4), new byte[8]))));
        out.put("bool_bad_value", new InvalidCase("a BOOL field holding 2",
                frame(MessageType.END_OF_INPUT.code(), 0, concat(fieldHeader(1, 3, 0, 1),
                        new byte[] {2, 0, 0, 0, 0, 0, 0, 0}, payload(new PayloadBuilder().int64(2, 0))))));
        out.put("unknown_critical_field", new InvalidCase("HEARTBEAT with an unknown field marked critical",
                frame(MessageType.HEARTBEAT.code(), 0,
                        payload(new PayloadBuilder().int64(1, 5).critical().int64(99, 1)))));
        out.put("bad_utf8", new InvalidCase("STDOUT text bytes ff fe",
                frame(MessageType.STDOUT.code(), 0, concat(fieldHeader(1, 4, 0, 2),
                        new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 0, 0, 0, 0, 0}))));
        out.put("missing_required_field", new InvalidCase("WELCOME without max_frame",
                frame(MessageType.WELCOME.code(), 0, new byte[0])));
        out.put("repeated_field", new InvalidCase("HEARTBEAT with millis twice",
                frame(MessageType.HEARTBEAT.code(), 0, payload(new PayloadBuilder().int64(1, 1).int64(1, 2)))));
        out.put("hello_secret_without_job", new InvalidCase("HELLO with a secret but no job id",
                frame(MessageType.HELLO.code(), 0, payload(new PayloadBuilder().bytes(2, new byte[32])
                        .text(3, "python").text(4, "3").int64(5, 1)))));

        out.put("batch_data_length", new InvalidCase("INT32 column of 3 rows with 8 data bytes",
                batch(3, column(ColumnType.INT32, 0, null, null, new byte[8]))));
        out.put("batch_offsets_backwards", new InvalidCase("TEXT offsets 0, 3, 1, 4",
                batch(3, column(ColumnType.TEXT, 0, null, ints(0, 3, 1, 4), "abcd".getBytes()))));
        out.put("batch_offsets_end", new InvalidCase("TEXT offsets end at 3 but data has 4 bytes",
                batch(2, column(ColumnType.TEXT, 0, null, ints(0, 1, 3), "abcd".getBytes()))));
        out.put("batch_validity_mismatch", new InvalidCase("null_count 1 but validity marks no NULL",
                batch(2, column(ColumnType.INT64, 1, new byte[] {1, 1}, null, new byte[16]))));
        out.put("batch_validity_byte", new InvalidCase("validity byte 2",
                batch(2, column(ColumnType.INT64, 1, new byte[] {0, 2}, null, new byte[16]))));
        out.put("batch_null_with_value", new InvalidCase("a NULL TEXT row that has bytes",
                batch(2, column(ColumnType.TEXT, 1, new byte[] {1, 0}, ints(0, 1, 2), "ab".getBytes()))));
        out.put("batch_bool_value", new InvalidCase("BOOL data byte 7",
                batch(2, column(ColumnType.BOOL, 0, null, null, new byte[] {1, 7}))));
        out.put("batch_bad_decimal", new InvalidCase("DECIMAL value '12a'",
                batch(1, column(ColumnType.DECIMAL, 0, null, ints(0, 3), "12a".getBytes()))));
        out.put("batch_bad_utf8", new InvalidCase("TEXT value with byte c0 (overlong)",
                batch(1, column(ColumnType.TEXT, 0, null, ints(0, 2), new byte[] {(byte) 0xC0, (byte) 0xAF}))));
        out.put("batch_split_utf8", new InvalidCase("a row boundary inside the two bytes of U+00E9",
                batch(2, column(ColumnType.TEXT, 0, null, ints(0, 1, 2), new byte[] {(byte) 0xC3, (byte) 0xA9}))));
        out.put("batch_unknown_column_type", new InvalidCase("column type 99",
                batch(0, payload(new PayloadBuilder().int64(1, 99).int64(2, 0).bytes(5, new byte[0])))));
        out.put("batch_array_shape_mismatch", new InvalidCase("shape 2x2 for 3 elements",
                batch(1, arrayColumn(ints(0, 3), column(ColumnType.INT32, 0, null, null, new byte[12]),
                        ints(0, 2), ints(2, 2)))));
        out.put("batch_nested_array", new InvalidCase("an ARRAY whose elements are ARRAYs",
                batch(1, arrayColumn(ints(0, 1), arrayColumn(ints(0, 0), column(ColumnType.INT32, 0, null, null,
                        new byte[0]), null, null), null, null))));
        out.put("param_type_mismatch", new InvalidCase("a parameter declared INT32 whose value is TEXT",
                frame(MessageType.SESSION_INIT.code(), 0, payload(new PayloadBuilder()
                        .text(1, "x").text(2, "InputDataSet").text(3, "OutputDataSet")
                        .beginStruct(5).text(1, "p").int64(2, ColumnType.INT32.code()).bool(4, false)
                        .beginStruct(5).int64(1, ColumnType.TEXT.code()).int64(2, 0).bytes(4, ints(0, 1))
                        .bytes(5, "a".getBytes()).endStruct().endStruct()
                        .bool(6, false)))));
        return out;
    }

    private static byte[] header(int magic, int version, int type, int length, int sequence) {
        ByteBuffer b = GoldenFiles.le(16);
        b.putInt(magic).put((byte) version).put((byte) type).putShort((short) 0).putInt(length).putInt(sequence);
        return b.array();
    }

    private static byte[] frame(int type, int sequence, byte[] payload) {
        return concat(header(FrameHeader.MAGIC, 1, type, payload.length, sequence), payload);
    }

    private static byte[] fieldHeader(int tag, int kind, int flags, int length) {
        ByteBuffer b = GoldenFiles.le(8);
        b.putShort((short) tag).put((byte) kind).put((byte) flags).putInt(length);
        return b.array();
    }

    private static byte[] payload(PayloadBuilder builder) {
        ByteBuffer b = builder.toByteBuffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static byte[] batch(int rows, byte[]... columns) {
        PayloadBuilder p = new PayloadBuilder().int64(1, rows);
        byte[] head = payload(p);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head);
        for (byte[] column : columns) {
            out.writeBytes(fieldHeader(2, 6, 0, column.length));
            out.writeBytes(column);
        }
        return frame(MessageType.INPUT_BATCH.code(), 0, out.toByteArray());
    }

    private static byte[] column(ColumnType type, int nullCount, byte[] validity, byte[] offsets, byte[] data) {
        PayloadBuilder p = new PayloadBuilder().int64(1, type.code()).int64(2, nullCount);
        if (validity != null) {
            p.bytes(3, validity);
        }
        if (offsets != null) {
            p.bytes(4, offsets);
        }
        p.bytes(5, data);
        return payload(p);
    }

    private static byte[] arrayColumn(byte[] offsets, byte[] child, byte[] shapeOffsets, byte[] shapes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(payload(new PayloadBuilder().int64(1, ColumnType.ARRAY.code()).int64(2, 0).bytes(4, offsets)));
        out.writeBytes(fieldHeader(6, 6, 0, child.length));
        out.writeBytes(child);
        if (shapes != null) {
            out.writeBytes(payload(new PayloadBuilder().bytes(7, shapeOffsets).bytes(8, shapes)));
        }
        return out.toByteArray();
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = GoldenFiles.le(values.length * 4);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
