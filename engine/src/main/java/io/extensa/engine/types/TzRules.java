package io.extensa.engine.types;

/**
 * The offsets of a time zone over time, in seconds east of UTC at instants counted in seconds
 * since 1970-01-01 UTC.
 */
interface TzRules {

    int offsetAt(long epochSecond);

    /** The first instant after {@code epochSecond} where the offset or abbreviation changes, or Long.MAX_VALUE. */
    long nextTransition(long epochSecond);

    /** The zone abbreviation in effect (EST, CEST, +03), or null when unknown. */
    String abbreviationAt(long epochSecond);

    /**
     * PostgreSQL's DetermineTimeZoneOffset: the offset that turns a local time (seconds since
     * 1970-01-01, local) into UTC. Near a transition both offsets are tried; a time skipped by a
     * forward jump is read with the offset before it, an ambiguous one with the offset after.
     */
    default int offsetForLocal(long localSecond) {
        long before = localSecond - 86_400;
        long boundary = nextTransition(before);
        int beforeOffset = offsetAt(before);
        if (boundary == Long.MAX_VALUE) {
            return beforeOffset;
        }
        int afterOffset = offsetAt(boundary);
        long beforeTime = localSecond - beforeOffset;
        long afterTime = localSecond - afterOffset;
        if (beforeTime < boundary && afterTime < boundary) {
            return beforeOffset;
        }
        if (beforeTime >= boundary && afterTime >= boundary) {
            // the next boundary may be close too; zones never have two within two days
            return afterOffset;
        }
        return beforeTime > afterTime ? beforeOffset : afterOffset;
    }
}
