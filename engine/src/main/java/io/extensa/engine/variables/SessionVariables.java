package io.extensa.engine.variables;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The variables DECLAREd in one session. Names are case-insensitive as in SQL Server; unlike
 * SQL Server (where they live for one batch) they live for the session, because a PostgreSQL
 * client sends statements one by one.
 */
public final class SessionVariables {

    private final Map<String, Variable> variables = new ConcurrentHashMap<>();

    public boolean isEmpty() {
        return variables.isEmpty();
    }

    public boolean isDeclared(String name) {
        return variables.containsKey(key(name));
    }

    public Optional<Variable> get(String name) {
        return Optional.ofNullable(variables.get(key(name)));
    }

    public void declare(Variable variable) {
        variables.put(key(variable.name()), variable);
    }

    public void assign(String name, byte[] value) {
        variables.computeIfPresent(key(name), (k, v) -> v.withValue(value));
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
