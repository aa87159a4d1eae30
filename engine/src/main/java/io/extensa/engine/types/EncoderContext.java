package io.extensa.engine.types;

/**
 * What every encoder of one output column needs besides its types.
 *
 * @param forServer the text is for PostgreSQL to parse (COPY, server casts): ISO dates,
 *                  postgres intervals, timestamptz in UTC with its offset, shortest floats
 */
record EncoderContext(String column, SessionSettings settings, TypeCatalog catalog, Destination destination,
                      boolean forServer) {

    /** The settings text output follows: the session's, or the unambiguous ones for PostgreSQL to parse. */
    SessionSettings textSettings() {
        return forServer ? settings.forServerInput() : settings;
    }

    /** The zone timestamptz text is shown in. */
    PgTimeZone outputZone() {
        return forServer ? PgTimeZone.UTC : settings.timeZone();
    }

    EncoderContext serverSide() {
        return forServer ? this : new EncoderContext(column, settings, catalog, destination, true);
    }
}
