package io.extensa.engine.statement;

import io.extensa.engine.EngineServices;
import io.extensa.engine.types.FieldBuffer;
import io.extensa.engine.types.SessionSettings;
import io.extensa.engine.types.TypeCatalog;
import io.extensa.engine.types.OutputTypes;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.InterceptedStatement;
import io.extensa.pgwire.intercept.ResultDescription;
import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.message.ColumnSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * EXEC sp_extensa_info: one row describing this installation — Extensa's version, the backend
 * PostgreSQL's version (asked on the caller's own connection), when the gateway started, its uptime
 * and the languages the launchpad offers.
 */
final class ExtensaInfo implements InterceptedStatement {

    private static final List<ColumnSpec> COLUMNS = List.of(
            ColumnSpec.of("extensa_version", ColumnType.TEXT, "text"),
            ColumnSpec.of("postgresql_version", ColumnType.TEXT, "text"),
            ColumnSpec.of("started_at", ColumnType.TIMESTAMPTZ, "timestamptz"),
            ColumnSpec.of("uptime", ColumnType.INTERVAL, "interval"),
            ColumnSpec.of("languages", ColumnType.TEXT, "text"));

    private final EngineServices services;

    ExtensaInfo(EngineServices services) {
        this.services = services;
    }

    @Override
    public String label() {
        return "EXEC sp_extensa_info";
    }

    @Override
    public Execution start(ExecutionContext ctx) throws PgException {
        String[] version = new String[1];
        ctx.backend().execute("SELECT pg_catalog.version()", List.of(), 0,
                row -> {
                    row.getShort();
                    byte[] b = new byte[row.getInt()];
                    row.get(b);
                    version[0] = new String(b, StandardCharsets.UTF_8);
                });
        String languages;
        try {
            languages = String.join(", ", services.launchpad().languages());
        } catch (IOException e) {
            languages = "(launchpad unavailable: " + e.getMessage() + ")";
        }
        Instant started = services.startedAt();
        long uptimeMicros = Duration.between(started, Instant.now()).toNanos() / 1000;
        List<ColumnBuilder> values = new ArrayList<>();
        for (ColumnSpec spec : COLUMNS) {
            values.add(ColumnBuilder.create(spec.type()));
        }
        values.get(0).appendUtf8(services.config().version());
        values.get(1).appendUtf8(version[0]);
        values.get(2).appendLong(started.getEpochSecond() * 1_000_000 + started.getNano() / 1000);
        values.get(3).appendInterval(uptimeMicros, 0, 0);
        values.get(4).appendUtf8(languages);
        TypeCatalog catalog = services.types(ctx.session().database());
        SessionSettings settings = SessionSettings.from(ctx.session()::parameterStatus);
        return new SingleResult() {
            @Override
            protected ResultDescription describe() throws PgException {
                List<io.extensa.pgwire.intercept.ColumnDescriptor> columns = new ArrayList<>();
                for (ColumnSpec spec : COLUMNS) {
                    var type = OutputTypes.naturalType(spec, catalog);
                    columns.add(io.extensa.pgwire.intercept.ColumnDescriptor.of(spec.name(), type.oid(), type.typlen(),
                            -1));
                }
                return ResultDescription.rows(columns);
            }

            @Override
            protected String rows(DataRowWriter out) throws PgException {
                FieldBuffer field = new FieldBuffer();
                out.beginRow(COLUMNS.size());
                for (int i = 0; i < COLUMNS.size(); i++) {
                    ColumnSpec spec = COLUMNS.get(i);
                    ColumnVector vector = values.get(i).build();
                    field.clear();
                    OutputTypes.encoder(spec.name(), spec, OutputTypes.naturalType(spec, catalog), -1, out.format(i),
                            settings).encode(vector, 0, 1, field);
                    out.field(field.array(), 0, field.size());
                }
                out.endRow();
                return "SELECT 1";
            }
        };
    }
}
