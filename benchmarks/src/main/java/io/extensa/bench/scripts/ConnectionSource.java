package io.extensa.bench.scripts;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a connection the way a variant's client would: through the gateway or directly. */
@FunctionalInterface
public interface ConnectionSource {
    Connection open() throws SQLException;
}
