package io.extensa.engine.script;

import io.extensa.engine.types.InputColumnPlan;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Partition keys as the binary field bytes of the key columns in a DataRow. Rows arrive sorted
 * by the key, so a partition ends where these bytes change; equal values have equal binary forms
 * for the types people partition by (integers, text, dates, booleans, uuids).
 */
final class PartitionKeys {

    private static final long POSTGRES_EPOCH_DAY = LocalDate.of(2000, 1, 1).toEpochDay();

    private PartitionKeys() {
    }

    /** The key columns' field bytes of one binary DataRow body (null entries for NULL). */
    static byte[][] extract(ByteBuffer body, int[] keyColumns) {
        ByteBuffer b = body.order() == ByteOrder.BIG_ENDIAN ? body : body.duplicate().order(ByteOrder.BIG_ENDIAN);
        byte[][] key = new byte[keyColumns.length][];
        int count = b.getShort(b.position());
        int pos = b.position() + 2;
        int next = 0;
        for (int column = 0; column < count && next < keyColumns.length; column++) {
            int length = b.getInt(pos);
            pos += 4;
            for (int k = 0; k < keyColumns.length; k++) {
                if (keyColumns[k] == column) {
                    key[k] = length < 0 ? null : slice(b, pos, length);
                    next++;
                }
            }
            if (length > 0) {
                pos += length;
            }
        }
        return key;
    }

    /**
     * Whether the row's key equals {@code key} (from {@link #extract}), read in place: most rows
     * continue the current partition, and comparing must not allocate per row.
     */
    static boolean sameKey(ByteBuffer body, int[] keyColumns, byte[][] key) {
        if (key == null) {
            return false;
        }
        ByteBuffer b = body.order() == ByteOrder.BIG_ENDIAN ? body : body.duplicate().order(ByteOrder.BIG_ENDIAN);
        int count = b.getShort(b.position());
        int pos = b.position() + 2;
        for (int column = 0; column < count; column++) {
            int length = b.getInt(pos);
            pos += 4;
            for (int k = 0; k < keyColumns.length; k++) {
                if (keyColumns[k] != column) {
                    continue;
                }
                byte[] expected = key[k];
                if (length < 0 || expected == null) {
                    if ((length < 0) != (expected == null)) {
                        return false;
                    }
                    continue;
                }
                if (length != expected.length || b.slice(pos, length).mismatch(ByteBuffer.wrap(expected)) >= 0) {
                    return false;
                }
            }
            if (length > 0) {
                pos += length;
            }
        }
        return true;
    }

    private static byte[] slice(ByteBuffer b, int pos, int length) {
        byte[] bytes = new byte[length];
        b.get(pos, bytes);
        return bytes;
    }

    static boolean same(byte[][] a, byte[][] b) {
        return b != null && Arrays.deepEquals(a, b);
    }

    /** {@code (region = 'north', year = 2024)}, rendered from the binary forms of common types. */
    static String describe(byte[][] key, InputShape shape, List<InputColumnPlan> columns) {
        StringBuilder out = new StringBuilder("(");
        for (int k = 0; k < key.length; k++) {
            if (k > 0) {
                out.append(", ");
            }
            InputColumnPlan column = columns.get(shape.partitionColumns()[k]);
            out.append(column.name()).append(" = ").append(render(key[k], column.type().oid()));
        }
        return out.append(')').toString();
    }

    static String render(byte[] value, int typeOid) {
        if (value == null) {
            return "NULL";
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        return switch (typeOid) {
            case 16 -> value.length == 1 ? (value[0] != 0 ? "true" : "false") : hex(value);
            case 21 -> value.length == 2 ? Short.toString(b.getShort()) : hex(value);
            case 23 -> value.length == 4 ? Integer.toString(b.getInt()) : hex(value);
            case 20 -> value.length == 8 ? Long.toString(b.getLong()) : hex(value);
            case 700 -> value.length == 4 ? Float.toString(b.getFloat()) : hex(value);
            case 701 -> value.length == 8 ? Double.toString(b.getDouble()) : hex(value);
            case 1082 -> value.length == 4 ? "'" + LocalDate.ofEpochDay(POSTGRES_EPOCH_DAY + b.getInt()) + "'" : hex(value);
            case 25, 1043, 1042, 19 -> "'" + new String(value, StandardCharsets.UTF_8).replace("'", "''") + "'";
            case 2950 -> value.length == 16 ? "'" + new java.util.UUID(b.getLong(), b.getLong()) + "'" : hex(value);
            default -> hex(value);
        };
    }

    private static String hex(byte[] value) {
        return "(binary) " + HexFormat.of().formatHex(value, 0, Math.min(value.length, 32))
                + (value.length > 32 ? "..." : "");
    }
}
