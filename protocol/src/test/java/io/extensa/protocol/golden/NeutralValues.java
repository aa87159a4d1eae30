package io.extensa.protocol.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.extensa.protocol.batch.ArrayColumnBuilder;
import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;

import java.util.HexFormat;
import java.util.UUID;

/**
 * The language-neutral JSON form of column values used by the golden files (docs/protocol.md,
 * "Golden files"): 64-bit integers as decimal strings (R and JavaScript read JSON numbers as
 * doubles), floats as numbers or "NaN"/"Infinity"/"-Infinity", bytes as hex, UUIDs in their
 * canonical text, intervals as objects, arrays as {shape, elements}.
 */
public final class NeutralValues {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();

    private NeutralValues() {
    }

    public static void append(ColumnBuilder builder, JsonNode value) {
        if (value == null || value.isNull()) {
            builder.appendNull();
            return;
        }
        switch (builder.type()) {
            case BOOL -> builder.appendBoolean(value.booleanValue());
            case INT16 -> builder.appendShort((short) value.intValue());
            case INT32, DATE -> builder.appendInt(value.intValue());
            case INT64, TIMESTAMP, TIMESTAMPTZ, TIME -> builder.appendLong(Long.parseLong(value.textValue()));
            case FLOAT32 -> builder.appendFloat((float) toDouble(value));
            case FLOAT64 -> builder.appendDouble(toDouble(value));
            case DECIMAL, TEXT, JSON -> builder.appendUtf8(value.textValue());
            case BYTES -> builder.appendBytes(HEX.parseHex(value.textValue()));
            case INTERVAL -> builder.appendInterval(Long.parseLong(value.get("micros").textValue()),
                    value.get("days").intValue(), value.get("months").intValue());
            case UUID -> {
                UUID uuid = UUID.fromString(value.textValue());
                builder.appendUuid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
            }
            case ARRAY -> {
                ArrayColumnBuilder array = (ArrayColumnBuilder) builder;
                for (JsonNode element : value.get("elements")) {
                    append(array.child(), element);
                }
                JsonNode shape = value.get("shape");
                int[] dims = new int[shape.size()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = shape.get(i).intValue();
                }
                array.endArray(dims);
            }
        }
    }

    public static ArrayNode values(ColumnVector column) {
        ArrayNode out = JSON.arrayNode();
        for (int row = 0; row < column.rowCount(); row++) {
            out.add(value(column, row));
        }
        return out;
    }

    public static JsonNode value(ColumnVector column, int row) {
        if (column.isNull(row)) {
            return NullNode.instance;
        }
        return switch (column.type()) {
            case BOOL -> JSON.booleanNode(column.getBoolean(row));
            case INT16 -> IntNode.valueOf(column.getShort(row));
            case INT32, DATE -> IntNode.valueOf(column.getInt(row));
            case INT64, TIMESTAMP, TIMESTAMPTZ, TIME -> TextNode.valueOf(Long.toString(column.getLong(row)));
            case FLOAT32 -> floatNode(column.getFloat(row));
            case FLOAT64 -> doubleNode(column.getDouble(row));
            case DECIMAL, TEXT, JSON -> TextNode.valueOf(column.getUtf8(row));
            case BYTES -> TextNode.valueOf(HEX.formatHex(column.getBytes(row)));
            case INTERVAL -> {
                ObjectNode interval = JSON.objectNode();
                interval.put("micros", Long.toString(column.getIntervalMicros(row)));
                interval.put("days", column.getIntervalDays(row));
                interval.put("months", column.getIntervalMonths(row));
                yield interval;
            }
            case UUID -> TextNode.valueOf(column.getUuid(row).toString());
            case ARRAY -> {
                ObjectNode array = JSON.objectNode();
                ArrayNode shape = array.putArray("shape");
                for (int d : column.dimensions(row)) {
                    shape.add(d);
                }
                ArrayNode elements = array.putArray("elements");
                int start = column.valueOffset(row);
                for (int i = 0; i < column.valueLength(row); i++) {
                    elements.add(value(column.child(), start + i));
                }
                yield array;
            }
        };
    }

    /** Brings a parsed expectation into the form {@link #value} produces, e.g. floats rounded to binary32. */
    public static JsonNode normalize(ColumnType type, ColumnType elementType, JsonNode value) {
        if (value == null || value.isNull()) {
            return NullNode.instance;
        }
        return switch (type) {
            case FLOAT32 -> floatNode((float) toDouble(value));
            case FLOAT64 -> doubleNode(toDouble(value));
            case INT16, INT32, DATE -> IntNode.valueOf(value.intValue());
            case ARRAY -> {
                ObjectNode array = JSON.objectNode();
                array.set("shape", value.get("shape"));
                ArrayNode elements = array.putArray("elements");
                for (JsonNode element : value.get("elements")) {
                    elements.add(normalize(elementType, null, element));
                }
                yield array;
            }
            default -> value;
        };
    }

    public static double toDouble(JsonNode value) {
        if (value.isNumber()) {
            return value.doubleValue();
        }
        return switch (value.textValue()) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw new IllegalArgumentException("not a float: " + value);
        };
    }

    private static JsonNode floatNode(float v) {
        return Float.isFinite(v) ? FloatNode.valueOf(v) : TextNode.valueOf(special(v));
    }

    private static JsonNode doubleNode(double v) {
        return Double.isFinite(v) ? DoubleNode.valueOf(v) : TextNode.valueOf(special(v));
    }

    private static String special(double v) {
        return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    }
}
