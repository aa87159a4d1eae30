package io.extensa.protocol.message;

import java.util.Optional;

/** The categories of ERROR 0x30, as their wire names. */
public enum ErrorKind {
    /** the script raised an exception */
    SCRIPT("script"),
    /** the script does not compile */
    SYNTAX("syntax"),
    /** the script asked its interpreter to exit */
    EXIT("exit"),
    /** the engine sent CANCEL and the script stopped */
    CANCELLED("cancelled"),
    /** a value could not be converted to or from the wire types */
    TYPE("type"),
    /** the peer broke the protocol */
    PROTOCOL("protocol"),
    /** a fault inside the satellite, engine or fork server itself */
    INTERNAL("internal");

    private final String wireName;

    ErrorKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Empty for a kind this version does not know (a newer peer may send more kinds). */
    public static Optional<ErrorKind> fromWireName(String name) {
        for (ErrorKind kind : values()) {
            if (kind.wireName.equals(name)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
