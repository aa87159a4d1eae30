package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Decoding helpers shared by the messages of this package: required fields, environment lists. */
final class Fields {

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Environment entry struct: 1 name TEXT, 2 value TEXT. */
    private static final int ENV_NAME_TAG = 1;
    private static final int ENV_VALUE_TAG = 2;

    private Fields() {
    }

    static <T> T require(T value, String message, String field) throws ProtocolException {
        if (value == null) {
            throw new ProtocolException(message + ": required field " + field + " is missing");
        }
        return value;
    }

    static String checkEnvName(String name) {
        if (!ENV_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid environment variable name '" + name
                    + "' (letters, digits and '_', not starting with a digit)");
        }
        return name;
    }

    static String checkEnvValue(String name, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("environment variable " + name + " contains a NUL character");
        }
        return value;
    }

    /** An immutable, order-preserving copy with every entry validated. */
    static Map<String, String> copyEnvironment(Map<String, String> environment) {
        Map<String, String> copy = new LinkedHashMap<>();
        environment.forEach((name, value) -> copy.put(checkEnvName(name), checkEnvValue(name, value)));
        return Collections.unmodifiableMap(copy);
    }

    static void encodeEnvironment(PayloadBuilder payload, int tag, Map<String, String> environment) {
        environment.forEach((name, value) -> payload.beginStruct(tag)
                .text(ENV_NAME_TAG, name)
                .text(ENV_VALUE_TAG, value)
                .endStruct());
    }

    /** Decodes one environment struct into {@code into}; duplicates and invalid names are protocol errors. */
    static void decodeEnvironmentEntry(FieldCursor entry, Map<String, String> into) throws ProtocolException {
        String name = null;
        String value = null;
        while (entry.next()) {
            switch (entry.tag()) {
                case ENV_NAME_TAG -> name = entry.asText();
                case ENV_VALUE_TAG -> value = entry.asText();
                default -> entry.skipUnknown();
            }
        }
        require(name, entry.context(), "name");
        require(value, entry.context(), "value");
        try {
            checkEnvName(name);
            checkEnvValue(name, value);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(entry.context() + ": " + e.getMessage());
        }
        if (into.putIfAbsent(name, value) != null) {
            throw new ProtocolException(entry.context() + ": environment variable " + name + " given twice");
        }
    }
}
