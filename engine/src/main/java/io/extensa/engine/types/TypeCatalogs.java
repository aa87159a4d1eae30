package io.extensa.engine.types;

import java.util.concurrent.ConcurrentHashMap;

/** One {@link TypeCatalog} per database, shared by that database's sessions. */
public final class TypeCatalogs {

    private final ConcurrentHashMap<String, TypeCatalog> byDatabase = new ConcurrentHashMap<>();

    public TypeCatalog forDatabase(String database) {
        return byDatabase.computeIfAbsent(database, d -> new TypeCatalog());
    }

    /** Forgets every database's loaded types (after DDL that renames types, say). */
    public void invalidateAll() {
        byDatabase.values().forEach(TypeCatalog::invalidate);
    }
}
