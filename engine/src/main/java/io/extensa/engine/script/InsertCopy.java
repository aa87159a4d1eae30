package io.extensa.engine.script;

import io.extensa.engine.types.CopyRowEncoder;
import io.extensa.engine.types.Destination;
import io.extensa.engine.types.OutputColumnPlan;
import io.extensa.engine.types.OutputTypes;
import io.extensa.engine.types.SessionSettings;
import io.extensa.engine.types.TypeCatalog;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import io.extensa.protocol.message.ColumnSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The target of INSERT INTO t [(columns)] EXEC: its columns, described once on the caller's
 * connection, and COPY FROM STDIN statements that store a script's output there in the caller's
 * transaction.
 */
final class InsertCopy {

    private final InsertTarget insert;
    private final List<ColumnDescriptor> target;
    private final BackendChannel backend;
    private final TypeCatalog catalog;
    private final SessionSettings settings;
    private final String language;

    private InsertCopy(InsertTarget insert, List<ColumnDescriptor> target, BackendChannel backend,
                       TypeCatalog catalog, SessionSettings settings, String language) {
        this.insert = insert;
        this.target = target;
        this.backend = backend;
        this.catalog = catalog;
        this.settings = settings;
        this.language = language;
    }

    static InsertCopy describe(InsertTarget insert, BackendChannel backend, TypeCatalog catalog,
                               SessionSettings settings, String language) throws PgException {
        String select = "SELECT " + (insert.columns().isEmpty() ? "*" : insert.quotedColumns(insert.columns()))
                + " FROM " + insert.quotedTable();
        List<ColumnDescriptor> target = backend.describe(select, new int[0]).columns();
        catalog.resolve(target.stream().mapToInt(ColumnDescriptor::typeOid).toArray(), backend);
        return new InsertCopy(insert, target, backend, catalog, settings, language);
    }

    /** Checks the script's columns against the target and starts a COPY that takes them. */
    CopyInWriter open(List<ColumnSpec> specs) throws PgException {
        if (target.size() != specs.size()) {
            throw new PgException(SqlState.OUTPUT_MISMATCH, "INSERT INTO " + insert.label() + " has " + target.size()
                    + " target column(s) but the " + language + " script returned " + specs.size() + " ("
                    + String.join(", ", specs.stream().map(ColumnSpec::name).toList()) + ")");
        }
        List<OutputColumnPlan> plans = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            ColumnDescriptor t = target.get(i);
            plans.add(OutputTypes.plan(t.name(), specs.get(i), catalog.lookup(t.typeOid()), t.typeModifier(),
                    Destination.COPY, catalog, settings));
        }
        CopyRowEncoder encoder = new CopyRowEncoder(plans);
        List<String> names = target.stream().map(ColumnDescriptor::name).toList();
        String copy = "COPY " + insert.quotedTable() + " (" + insert.quotedColumns(names) + ") FROM STDIN "
                + encoder.copyOptions();
        return new CopyInWriter(backend.copyIn(copy), encoder);
    }
}
