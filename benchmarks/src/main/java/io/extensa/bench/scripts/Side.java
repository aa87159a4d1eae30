package io.extensa.bench.scripts;

/** Which side of a comparison a variant stands on. */
public enum Side {
    EXTENSA("Extensa"),
    PEER("peer"),
    /** The fastest way PostgreSQL itself moves the same rows: what a target is measured against. */
    CEILING("ceiling"),
    /** Not a contender, but tells what the number is made of (SQL avg(), a bare round trip). */
    REFERENCE("reference");

    private final String label;

    Side(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
