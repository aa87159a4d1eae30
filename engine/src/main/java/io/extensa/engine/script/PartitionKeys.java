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
 * Partition keys as the binary field bytes of the key columns in a DataRow. Sorted input: rows
 * arrive sorted by the key, so a partition ends where these bytes change. Hashed input: a hash of
 * these bytes identifies the key to {@link KeyRouting}, which picks its satellite; the satellite
 * groups its rows by the same bytes. Equal values have
 * equal binary forms for the types people partition by (integers, text, dates, booleans, uuids);
 * {@link #hashable} names the types for which that holds without exception.
 */
final class PartitionKeys {

    private static final long POSTGRES_EPOCH_DAY = LocalDate.of(2000, 1, 1).toEpochDay();
    private static final int NULL_HASH = 0x9e3779b9;
    /**
     * Types whose binary forms are equal exactly when PostgreSQL's equality says so: bool, bytea,
     * name, int8, int2, int4, text, oid, varchar, date, time, timestamp, timestamptz, uuid. Not
     * float4/float8 (0 = -0, NaN), numeric (1.0 = 1.00), bpchar (trailing spaces), json.
     */
    private static final java.util.Set<Integer> BYTE_EQUALITY = java.util.Set.of(16, 17, 19, 20, 21, 23, 25, 26,
            1043, 1082, 1083, 1114, 1184, 2950);

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

    /** Whether every key column's type compares by its binary form (see {@link #BYTE_EQUALITY}; enums too). */
    static boolean hashable(List<InputColumnPlan> columns, int[] keyColumns) {
        for (int k : keyColumns) {
            io.extensa.engine.types.PgType type = columns.get(k).type();
            int oid = type.isDomain() ? type.baseOid() : type.oid();
            if (!BYTE_EQUALITY.contains(oid) && type.typtype() != io.extensa.engine.types.PgType.ENUM) {
                return false;
            }
        }
        return true;
    }

    private static final int FNV_OFFSET = 0x811c9dc5;
    private static final int FNV_PRIME = 0x01000193;

    /**
     * A hash of the row's key bytes, read in place (no allocation per row); NULL hashes as a value
     * of its own. Rows with equal keys get equal hashes; the bits are mixed so that consecutive
     * integers spread evenly over a few satellites.
     */
    static int hash(ByteBuffer body, int[] keyColumns) {
        return hash(body, body.position(), keyColumns);
    }

    /** {@link #hash(ByteBuffer, int[])} of the row (a DataRow body or a binary COPY tuple) at {@code start}. */
    static int hash(ByteBuffer body, int start, int[] keyColumns) {
        ByteBuffer b = body.order() == ByteOrder.BIG_ENDIAN ? body : body.duplicate().order(ByteOrder.BIG_ENDIAN);
        int count = b.getShort(start);
        int last = -1;
        for (int k : keyColumns) {
            last = Math.max(last, k);
        }
        // the fields after the last key column cannot change the hash: the walk stops there
        int end = Math.min(count, last + 1);
        int pos = start + 2;
        int h = 1;
        for (int column = 0; column < end; column++) {
            int length = b.getInt(pos);
            pos += 4;
            for (int k : keyColumns) {
                if (k != column) {
                    continue;
                }
                if (length < 0) {
                    h = h * 31 + NULL_HASH;
                } else {
                    // FNV-1a over the bytes: a polynomial over signed bytes (v * 31 + byte) gave the
                    // integers 0..999 only 349 distinct hashes, and so uneven shares
                    int v = FNV_OFFSET ^ length;
                    for (int i = 0; i < length; i++) {
                        v = (v ^ (b.get(pos + i) & 0xff)) * FNV_PRIME;
                    }
                    h = h * 31 + v;
                }
            }
            if (length > 0) {
                pos += length;
            }
        }
        // murmur3's finalizer
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** {@code (region = 'north', year = 2024)} from a satellite's unit_key: one row, the key columns in order. */
    static String describe(io.extensa.protocol.batch.Batch key, List<String> names) {
        StringBuilder out = new StringBuilder("(");
        for (int k = 0; k < key.columnCount() && k < names.size(); k++) {
            if (k > 0) {
                out.append(", ");
            }
            out.append(names.get(k)).append(" = ").append(render(key.column(k)));
        }
        return out.append(')').toString();
    }

    static String render(io.extensa.protocol.batch.ColumnVector c) {
        if (c.rowCount() < 1 || c.isNull(0)) {
            return "NULL";
        }
        return switch (c.type()) {
            case BOOL -> Boolean.toString(c.getBoolean(0));
            case INT16 -> Short.toString(c.getShort(0));
            case INT32 -> Integer.toString(c.getInt(0));
            case INT64 -> Long.toString(c.getLong(0));
            case FLOAT32 -> Float.toString(c.getFloat(0));
            case FLOAT64 -> Double.toString(c.getDouble(0));
            case DATE -> "'" + LocalDate.ofEpochDay(c.getInt(0)) + "'";
            case TIMESTAMP -> "'" + java.time.LocalDateTime.ofEpochSecond(Math.floorDiv(c.getLong(0), 1_000_000L),
                    (int) Math.floorMod(c.getLong(0), 1_000_000L) * 1000, java.time.ZoneOffset.UTC) + "'";
            case TIMESTAMPTZ -> "'" + java.time.Instant.EPOCH.plus(c.getLong(0), java.time.temporal.ChronoUnit.MICROS)
                    + "'";
            case TIME -> "'" + java.time.LocalTime.ofNanoOfDay(Math.min(c.getLong(0), 86_399_999_999L) * 1000) + "'";
            case TEXT, JSON, DECIMAL -> "'" + c.getUtf8(0).replace("'", "''") + "'";
            case UUID -> "'" + c.getUuid(0) + "'";
            case BYTES -> hex(c.getBytes(0));
            default -> "(" + c.type().name().toLowerCase(java.util.Locale.ROOT) + " value)";
        };
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
