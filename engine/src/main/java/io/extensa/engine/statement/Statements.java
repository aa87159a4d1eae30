package io.extensa.engine.statement;

import io.extensa.engine.EngineServices;
import io.extensa.engine.sql.ast.Statement;
import io.extensa.engine.variables.SessionVariables;
import io.extensa.pgwire.intercept.InterceptedStatement;

/** Maps a parsed statement to what runs it. */
public final class Statements {

    public static final String EXTERNAL_SCRIPT = "sp_execute_external_script";
    public static final String EXTENSA_INFO = "sp_extensa_info";
    public static final String CONFIGURE = "sp_configure";

    private Statements() {
    }

    public static InterceptedStatement of(Statement statement, SessionVariables variables, EngineServices services) {
        return switch (statement) {
            case Statement.Exec exec when exec.procedure().equals(EXTENSA_INFO) -> new ExtensaInfo(services);
            case Statement.Exec exec when exec.procedure().equals(CONFIGURE) -> new ConfigureStatement(exec, services);
            case Statement.Exec exec -> new ExternalScript(exec, null, variables, services);
            case Statement.InsertExec insert -> new ExternalScript(insert.exec(), insert, variables, services);
            case Statement.Declare declare -> new DeclareVariables(declare, variables);
            case Statement.SetVariable set -> new SetVariable(set, variables);
            case Statement.Print print -> new PrintStatement(print, variables);
            case Statement.WithVariables with -> new RelayWithVariables(with.sql(), variables);
            case Statement.Reconfigure reconfigure -> new ReconfigureStatement(services);
            case Statement.ScriptPermission permission -> new PermissionStatement(permission, services);
            case Statement.ResourcePool pool -> new ResourcePoolStatement(pool, services);
            case Statement.ReconfigureResourceGovernor reconfigure -> new ResourcePoolStatement(reconfigure, services);
            case Statement.CreateLibrary create -> new LibraryStatement(create, services);
            case Statement.AlterLibrary alter -> new LibraryStatement(alter, services);
            case Statement.DropLibrary drop -> new LibraryStatement(drop, services);
            case Statement.LibraryPermission permission -> new LibraryStatement(permission, services);
        };
    }
}
