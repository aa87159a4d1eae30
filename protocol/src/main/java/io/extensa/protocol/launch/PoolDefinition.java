package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * One external resource pool as the engine applied it (SQL Server's {@code CREATE EXTERNAL
 * RESOURCE POOL} options), carried in POOLS as a struct:
 * <pre>
 *  tag kind  field
 *  1   TEXT  name                 1..128 characters, no NUL, no '/'
 *  2   INT   max_cpu_percent      1..100 (100 = no CPU cap)
 *  3   INT   max_memory_percent   1..100 of the machine's memory, for all satellites of the pool together
 *  4   INT   max_processes        concurrent satellites; 0 = unlimited
 * </pre>
 */
public record PoolDefinition(String name, int maxCpuPercent, int maxMemoryPercent, int maxProcesses) {

    public static final String DEFAULT_POOL = LaunchRequest.DEFAULT_POOL;
    public static final int MAX_NAME_LENGTH = 128;
    /** SQL Server's default external pool caps external processes at 20% of memory. */
    public static final int DEFAULT_POOL_MEMORY_PERCENT = 20;

    private static final int NAME_TAG = 1;
    private static final int CPU_TAG = 2;
    private static final int MEMORY_TAG = 3;
    private static final int PROCESSES_TAG = 4;

    public PoolDefinition {
        checkName(name);
        checkPercent("MAX_CPU_PERCENT", maxCpuPercent);
        checkPercent("MAX_MEMORY_PERCENT", maxMemoryPercent);
        if (maxProcesses < 0) {
            throw new IllegalArgumentException("MAX_PROCESSES must be 0 (unlimited) or more, not " + maxProcesses);
        }
    }

    /** The built-in pool as SQL Server ships it: all CPU, 20% of memory, any number of processes. */
    public static PoolDefinition defaultPool() {
        return new PoolDefinition(DEFAULT_POOL, 100, DEFAULT_POOL_MEMORY_PERCENT, 0);
    }

    public boolean isDefault() {
        return name.equals(DEFAULT_POOL);
    }

    public static String checkName(String name) {
        Objects.requireNonNull(name, "pool name");
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || name.indexOf('\0') >= 0 || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("invalid pool name '" + name + "': 1 to " + MAX_NAME_LENGTH
                    + " characters, without NUL or '/'");
        }
        return name;
    }

    private static void checkPercent(String option, int value) {
        if (value < 1 || value > 100) {
            throw new IllegalArgumentException(option + " must be between 1 and 100, not " + value);
        }
    }

    void encode(PayloadBuilder payload, int tag) {
        payload.beginStruct(tag)
                .text(NAME_TAG, name)
                .int64(CPU_TAG, maxCpuPercent)
                .int64(MEMORY_TAG, maxMemoryPercent)
                .int64(PROCESSES_TAG, maxProcesses)
                .endStruct();
    }

    static PoolDefinition decode(FieldCursor fields) throws ProtocolException {
        String name = null;
        Integer cpu = null;
        Integer memory = null;
        Integer processes = null;
        while (fields.next()) {
            switch (fields.tag()) {
                case NAME_TAG -> name = fields.asText();
                case CPU_TAG -> cpu = fields.asInt32();
                case MEMORY_TAG -> memory = fields.asInt32();
                case PROCESSES_TAG -> processes = fields.asInt32();
                default -> fields.skipUnknown();
            }
        }
        try {
            return new PoolDefinition(Fields.require(name, fields.context(), "1 name"),
                    Fields.require(cpu, fields.context(), "2 max_cpu_percent"),
                    Fields.require(memory, fields.context(), "3 max_memory_percent"),
                    Fields.require(processes, fields.context(), "4 max_processes"));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(fields.context() + ": " + e.getMessage());
        }
    }
}
