package io.extensa.engine.catalog;

import io.extensa.pgwire.BackendAddress;
import java.util.function.Supplier;

/**
 * Where Extensa keeps its own state in PostgreSQL: the {@code extensa} schema of one database,
 * reached over a service connection as a role allowed to own that schema (a superuser, or a role
 * the DBA granted it to). The embedded default uses role extensa and database extensa.
 *
 * @param password supplies the password when PostgreSQL asks (null when none is configured)
 */
public record CatalogConfig(BackendAddress address, String database, String user, Supplier<String> password) {
}
