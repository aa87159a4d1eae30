package io.extensa.protocol.golden;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.ProtocolException;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Describes a payload's tagged fields as JSON, independently of what the message means. */
public final class FieldTree {

    private FieldTree() {
    }

    public static ArrayNode describe(FieldCursor fields) throws ProtocolException {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        while (fields.next()) {
            ObjectNode field = out.addObject();
            field.put("tag", fields.tag());
            field.put("kind", fields.kind().name());
            if (fields.critical()) {
                field.put("critical", true);
            }
            switch (fields.kind()) {
                case INT -> field.put("int", Long.toString(fields.asInt()));
                case FLOAT -> {
                    double v = fields.asFloat();
                    if (Double.isFinite(v)) {
                        field.put("float", v);
                    } else {
                        field.put("float", Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
                    }
                }
                case BOOL -> field.put("bool", fields.asBool());
                case TEXT -> field.put("text", fields.asText());
                case BYTES -> {
                    ByteBuffer value = fields.asBytes();
                    byte[] bytes = new byte[value.remaining()];
                    value.get(bytes);
                    field.put("hex", HexFormat.of().formatHex(bytes));
                }
                case STRUCT -> field.set("fields", describe(fields.asStruct()));
            }
        }
        return out;
    }
}
