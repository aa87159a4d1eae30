package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * POOLS_APPLIED (0x47, launchpad to engine): the answer to POOLS once the new set is in force and
 * saved. The launchpad closes the connection after it.
 * <pre>
 *  tag kind          field
 *  1   TEXT          enforcement  how limits are enforced, e.g. "cgroup v1 (memory, cpu, pids)"
 *  2   STRUCT (rep.) pool         {1 name TEXT, 2 memory_limit INT}: the pool's memory limit in bytes,
 *                                 0 when memory is not limited
 * </pre>
 */
public record PoolsApplied(String enforcement, List<AppliedPool> pools) implements ControlMessage {

    private static final int ENFORCEMENT_TAG = 1;
    private static final int POOL_TAG = 2;

    /** A pool in force and the memory limit its percentage came to on the launchpad's machine. */
    public record AppliedPool(String name, long memoryLimitBytes) {
        private static final int NAME_TAG = 1;
        private static final int MEMORY_LIMIT_TAG = 2;
    }

    public PoolsApplied {
        Objects.requireNonNull(enforcement, "enforcement");
        pools = List.copyOf(pools);
    }

    @Override
    public MessageType type() {
        return MessageType.POOLS_APPLIED;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder payload = new PayloadBuilder().text(ENFORCEMENT_TAG, enforcement);
        for (AppliedPool pool : pools) {
            payload.beginStruct(POOL_TAG)
                    .text(AppliedPool.NAME_TAG, pool.name())
                    .int64(AppliedPool.MEMORY_LIMIT_TAG, pool.memoryLimitBytes())
                    .endStruct();
        }
        return payload;
    }

    static PoolsApplied decode(FieldCursor fields) throws ProtocolException {
        String enforcement = "";
        List<AppliedPool> pools = new ArrayList<>();
        while (fields.next()) {
            switch (fields.tag()) {
                case ENFORCEMENT_TAG -> enforcement = fields.asText();
                case POOL_TAG -> pools.add(decodePool(fields.asStruct()));
                default -> fields.skipUnknown();
            }
        }
        return new PoolsApplied(enforcement, pools);
    }

    private static AppliedPool decodePool(FieldCursor fields) throws ProtocolException {
        String name = null;
        long memoryLimit = 0;
        while (fields.next()) {
            switch (fields.tag()) {
                case AppliedPool.NAME_TAG -> name = fields.asText();
                case AppliedPool.MEMORY_LIMIT_TAG -> memoryLimit = fields.asInt();
                default -> fields.skipUnknown();
            }
        }
        return new AppliedPool(Fields.require(name, fields.context(), "1 name"), memoryLimit);
    }
}
