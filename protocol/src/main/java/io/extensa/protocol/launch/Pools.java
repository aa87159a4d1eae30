package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * POOLS (0x46, engine to launchpad, first message of its own connection): the complete set of
 * resource pools now in force (what {@code ALTER RESOURCE GOVERNOR RECONFIGURE} applied). It
 * replaces the launchpad's set; a set without {@code default} gets the built-in default pool.
 * The launchpad answers POOLS_APPLIED (or ERROR {@code bad_request}) and closes.
 * <pre>
 *  tag kind          field
 *  1   STRUCT (rep.) pool  {@link PoolDefinition}; names unique
 * </pre>
 */
public record Pools(List<PoolDefinition> pools) implements ControlMessage {

    private static final int POOL_TAG = 1;

    public Pools {
        pools = List.copyOf(pools);
        Set<String> names = new HashSet<>();
        for (PoolDefinition pool : pools) {
            if (!names.add(pool.name())) {
                throw new IllegalArgumentException("pool '" + pool.name() + "' is given twice");
            }
        }
    }

    /** The set with the built-in default pool added when it is missing. */
    public List<PoolDefinition> withDefault() {
        if (pools.stream().anyMatch(PoolDefinition::isDefault)) {
            return pools;
        }
        List<PoolDefinition> all = new ArrayList<>(pools.size() + 1);
        all.add(PoolDefinition.defaultPool());
        all.addAll(pools);
        return List.copyOf(all);
    }

    @Override
    public MessageType type() {
        return MessageType.POOLS;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder payload = new PayloadBuilder();
        for (PoolDefinition pool : pools) {
            pool.encode(payload, POOL_TAG);
        }
        return payload;
    }

    static Pools decode(FieldCursor fields) throws ProtocolException {
        List<PoolDefinition> pools = new ArrayList<>();
        while (fields.next()) {
            if (fields.tag() == POOL_TAG) {
                pools.add(PoolDefinition.decode(fields.asStruct()));
            } else {
                fields.skipUnknown();
            }
        }
        try {
            return new Pools(pools);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("POOLS: " + e.getMessage());
        }
    }
}
