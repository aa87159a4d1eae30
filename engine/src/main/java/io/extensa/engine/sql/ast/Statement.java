package io.extensa.engine.sql.ast;

import java.util.List;

/** The statements Extensa parses itself; everything else is PostgreSQL's. */
public sealed interface Statement {

    /** EXEC[UTE] proc args [WITH RESULT SETS ...], or CALL proc(args) */
    record Exec(String procedure, List<Argument> arguments, ResultSets resultSets) implements Statement {
        public Exec {
            arguments = List.copyOf(arguments);
        }
    }

    /**
     * INSERT INTO table [(columns)] EXEC ...
     *
     * @param table the target as written (possibly schema-qualified and quoted), to be quoted-safe re-emitted
     */
    record InsertExec(List<String> table, List<String> columns, Exec exec) implements Statement {
        public InsertExec {
            table = List.copyOf(table);
            columns = List.copyOf(columns);
        }
    }

    /** DECLARE @a type [= expr], ... */
    record Declare(List<VariableDeclaration> variables) implements Statement {
        public Declare {
            variables = List.copyOf(variables);
        }
    }

    /** SET @a = expr */
    record SetVariable(String name, String expression) implements Statement {
    }

    /** PRINT expr: the value as a notice */
    record Print(String expression) implements Statement {
    }

    /** Any other statement that references session variables; they are bound as parameters. */
    record WithVariables(String sql) implements Statement {
    }

    /** RECONFIGURE [WITH OVERRIDE]: pending sp_configure values take effect. */
    record Reconfigure() implements Statement {
    }

    /**
     * GRANT | REVOKE EXECUTE ANY EXTERNAL SCRIPT TO | FROM roles, or (with a language)
     * EXECUTE EXTERNAL SCRIPT ON EXTERNAL LANGUAGE::name.
     *
     * @param language null for EXECUTE ANY EXTERNAL SCRIPT
     * @param roles    role names as PostgreSQL resolves them
     */
    record ScriptPermission(boolean grant, String language, List<String> roles) implements Statement {
        public ScriptPermission {
            roles = List.copyOf(roles);
        }
    }


    /**
     * CREATE EXTERNAL LIBRARY name [AUTHORIZATION owner] FROM (CONTENT = ...) WITH (LANGUAGE = '...')
     *
     * @param owner null when not given: the caller
     */
    record CreateLibrary(String name, String owner, LibraryContent content, String language) implements Statement {
    }

    /** ALTER EXTERNAL LIBRARY name [AUTHORIZATION owner] SET (CONTENT = ...) [WITH (LANGUAGE = '...')] */
    record AlterLibrary(String name, String owner, LibraryContent content, String language) implements Statement {
    }

    /** DROP EXTERNAL LIBRARY name [AUTHORIZATION owner] */
    record DropLibrary(String name, String owner) implements Statement {
    }

    /**
     * GRANT | REVOKE CREATE EXTERNAL LIBRARY | ALTER ANY EXTERNAL LIBRARY TO | FROM roles.
     *
     * @param alterAny true for ALTER ANY EXTERNAL LIBRARY
     */
    record LibraryPermission(boolean grant, boolean alterAny, List<String> roles) implements Statement {
        public LibraryPermission {
            roles = List.copyOf(roles);
        }
    }

    /** A library's archive: bytes given inline (0x...) or a path on the server. Exactly one is set. */
    record LibraryContent(byte[] bytes, String serverPath) {
    }

    /**
     * CREATE | ALTER | DROP EXTERNAL RESOURCE POOL name [WITH (option = n, ...)], and Extensa's
     * ALTER EXTERNAL RESOURCE POOL name ADD | DROP ROLE role, ...: which roles' scripts run in it.
     *
     * @param name    the pool's name as PostgreSQL would resolve an identifier (unquoted: lower case)
     * @param options MAX_CPU_PERCENT, MAX_MEMORY_PERCENT, MAX_PROCESSES given, by upper-case name
     * @param roles   for ADD_ROLE and DROP_ROLE
     */
    record ResourcePool(PoolAction action, String name, java.util.Map<String, Integer> options, List<String> roles)
            implements Statement {
        public ResourcePool {
            options = java.util.Map.copyOf(options);
            roles = List.copyOf(roles);
        }
    }

    enum PoolAction { CREATE, ALTER, DROP, ADD_ROLE, DROP_ROLE }

    /** ALTER RESOURCE GOVERNOR RECONFIGURE: the resource pools in the catalog take effect in the launchpad. */
    record ReconfigureResourceGovernor() implements Statement {
    }

    /**
     * @param type       the type as written
     * @param expression the initial value's SQL text (may reference other variables), or null
     */
    record VariableDeclaration(String name, String type, String expression) {
    }
}
