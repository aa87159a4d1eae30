package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * SESSION_INIT 0x10, engine to satellite after WELCOME: what to run and on what.
 * <pre>
 *  1 script TEXT  2 input_name TEXT  3 output_name TEXT  4 column STRUCT* (input schema, {@link ColumnSpec})
 *  5 param STRUCT* ({@link Param})  6 has_input BOOL  7 options STRUCT ({@link SessionOptions}, optional)
 * </pre>
 *
 * @param options null when the engine sent none (the satellite then uses {@link SessionOptions#DEFAULT})
 */
public record SessionInit(String script, String inputName, String outputName, List<ColumnSpec> columns,
                          List<Param> params, boolean hasInput, SessionOptions options) implements Message {

    public SessionInit {
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(inputName, "inputName");
        Objects.requireNonNull(outputName, "outputName");
        columns = List.copyOf(columns);
        params = List.copyOf(params);
    }

    public SessionOptions effectiveOptions() {
        return options == null ? SessionOptions.DEFAULT : options;
    }

    @Override
    public MessageType type() {
        return MessageType.SESSION_INIT;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder out = new PayloadBuilder();
        out.text(1, script);
        out.text(2, inputName);
        out.text(3, outputName);
        for (ColumnSpec column : columns) {
            out.beginStruct(4);
            column.encode(out);
            out.endStruct();
        }
        for (Param param : params) {
            out.beginStruct(5);
            param.encode(out);
            out.endStruct();
        }
        out.bool(6, hasInput);
        if (options != null) {
            out.beginStruct(7);
            options.encode(out);
            out.endStruct();
        }
        return out;
    }

    public static SessionInit decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "SESSION_INIT");
        String script = null;
        String inputName = null;
        String outputName = null;
        List<ColumnSpec> columns = new ArrayList<>();
        List<Param> params = new ArrayList<>();
        boolean hasInput = false;
        SessionOptions options = null;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> script = in.text();
                case 2 -> inputName = in.text();
                case 3 -> outputName = in.text();
                case 4 -> columns.add(ColumnSpec.decode(in.element()));
                case 5 -> params.add(Param.decode(in.element()));
                case 6 -> hasInput = in.bool();
                case 7 -> options = SessionOptions.decode(in.struct());
                default -> in.unknown();
            }
        }
        in.require(1, "script");
        in.require(2, "input_name");
        in.require(3, "output_name");
        in.require(6, "has_input");
        if (!hasInput && !columns.isEmpty()) {
            throw in.invalid("has input columns but has_input is false");
        }
        return new SessionInit(script, inputName, outputName, columns, params, hasInput, options);
    }
}
