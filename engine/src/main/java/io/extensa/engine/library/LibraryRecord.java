package io.extensa.engine.library;

/**
 * A library's metadata as the catalog holds it (its content is fetched only to install it).
 *
 * @param scope 0 public, 1 private (SQL Server's values)
 */
public record LibraryRecord(int id, String database, String name, String owner, String language, int scope,
                            String sha256, long size) {

    public static final int PUBLIC = 0;
    public static final int PRIVATE = 1;

    public boolean isPublic() {
        return scope == PUBLIC;
    }
}
