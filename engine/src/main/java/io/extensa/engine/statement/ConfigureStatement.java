package io.extensa.engine.statement;

import io.extensa.engine.EngineServices;
import io.extensa.engine.audit.Audit;
import io.extensa.engine.catalog.ServerConfiguration;
import io.extensa.engine.security.PermissionRoles;
import io.extensa.engine.sql.ast.Argument;
import io.extensa.engine.sql.ast.Statement;
import io.extensa.engine.sql.ast.Value;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.InterceptedStatement;
import io.extensa.pgwire.intercept.ResultDescription;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * EXEC sp_configure [[@configname =] 'name' [, [@configvalue =] value]]: lists switches, or sets one
 * (superusers only; it takes effect at RECONFIGURE, as in SQL Server).
 */
final class ConfigureStatement implements InterceptedStatement {

    private static final int TEXT = 25;
    private static final int INT4 = 23;

    private final Statement.Exec exec;
    private final EngineServices services;

    ConfigureStatement(Statement.Exec exec, EngineServices services) {
        this.exec = exec;
        this.services = services;
    }

    @Override
    public String label() {
        return "EXEC sp_configure";
    }

    @Override
    public Execution start(ExecutionContext ctx) throws PgException {
        String name = null;
        Integer value = null;
        int position = 0;
        for (Argument a : exec.arguments()) {
            String key = a.name() == null ? (position == 0 ? "configname" : "configvalue") : a.name().toLowerCase(Locale.ROOT);
            position++;
            switch (key) {
                case "configname" -> name = text(a.value());
                case "configvalue" -> value = number(a.value());
                default -> throw new PgException(SqlState.INVALID_PARAMETER_VALUE,
                        "\"@" + a.name() + "\" is not a parameter for procedure sp_configure");
            }
        }
        ServerConfiguration configuration = services.configuration();
        if (value != null) {
            PermissionRoles.requireSuperuser(ctx.backend(), "change server configuration options");
            CatalogChange.requireNoTransactionBlock(ctx, "sp_configure with a value");
            ServerConfiguration.Setting before = configuration.list(name).get(0);
            configuration.set(name, value);
            Audit.administration(ctx.session().user(), ctx.session().database(), ctx.session().sessionId(),
                    "sp_configure '" + before.option().name() + "', " + value);
            ctx.notice(ErrorFields.notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION, "Configuration option '"
                    + before.option().name() + "' changed from " + before.value() + " to " + value
                    + ". Run the RECONFIGURE statement to install."));
            return commandOnly("CALL");
        }
        List<ServerConfiguration.Setting> settings = configuration.list(name);
        return new SingleResult() {
            @Override
            protected ResultDescription describe() {
                return ResultDescription.rows(List.of(ColumnDescriptor.of("name", TEXT, -1, -1),
                        ColumnDescriptor.of("minimum", INT4, 4, -1), ColumnDescriptor.of("maximum", INT4, 4, -1),
                        ColumnDescriptor.of("config_value", INT4, 4, -1), ColumnDescriptor.of("run_value", INT4, 4, -1)));
            }

            @Override
            protected String rows(DataRowWriter out) {
                for (ServerConfiguration.Setting s : settings) {
                    out.beginRow(5);
                    out.field(s.option().name().getBytes(StandardCharsets.UTF_8));
                    int[] numbers = {s.option().minimum(), s.option().maximum(), s.value(), s.valueInUse()};
                    for (int i = 0; i < numbers.length; i++) {
                        if (out.format(i + 1) == 1) {
                            out.field(java.nio.ByteBuffer.allocate(4).putInt(numbers[i]).array());
                        } else {
                            out.field(String.valueOf(numbers[i]).getBytes(StandardCharsets.UTF_8));
                        }
                    }
                    out.endRow();
                }
                return "SELECT " + settings.size();
            }
        };
    }

    static Execution commandOnly(String tag) {
        return new SingleResult() {
            @Override
            protected ResultDescription describe() {
                return ResultDescription.commandOnly();
            }

            @Override
            protected String rows(DataRowWriter out) {
                return tag;
            }
        };
    }

    private static String text(Value v) throws PgException {
        if (v instanceof Value.Text t) {
            return t.text();
        }
        throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "sp_configure expects the option's name as text");
    }

    private static Integer number(Value v) throws PgException {
        try {
            return switch (v) {
                case Value.Number n -> Integer.valueOf(n.text());
                case Value.Text t -> Integer.valueOf(t.text().strip());
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException e) {
            throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "sp_configure expects an integer value");
        }
    }
}
