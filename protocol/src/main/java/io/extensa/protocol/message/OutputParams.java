package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.ArrayList;
import java.util.List;

/**
 * OUTPUT_PARAMS 0x25, satellite to engine after the last unit: the OUTPUT parameters' values,
 * in the order SESSION_INIT declared them.
 * <pre>
 *  1 param STRUCT* ({@link OutputParam})
 * </pre>
 */
public record OutputParams(List<OutputParam> params) implements Message {

    public OutputParams {
        params = List.copyOf(params);
    }

    @Override
    public MessageType type() {
        return MessageType.OUTPUT_PARAMS;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder out = new PayloadBuilder();
        for (OutputParam param : params) {
            out.beginStruct(1);
            param.encode(out);
            out.endStruct();
        }
        return out;
    }

    public static OutputParams decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "OUTPUT_PARAMS");
        List<OutputParam> params = new ArrayList<>();
        while (in.next()) {
            if (in.tag() == 1) {
                params.add(OutputParam.decode(in.element()));
            } else {
                in.unknown();
            }
        }
        return new OutputParams(params);
    }
}
