package io.extensa.engine.sql;

import io.extensa.engine.sql.ast.Statement;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Extensa's administration statements that are not procedures:
 * <pre>
 * RECONFIGURE [WITH OVERRIDE]
 * GRANT  EXECUTE ANY EXTERNAL SCRIPT TO role [, ...]
 * REVOKE EXECUTE ANY EXTERNAL SCRIPT FROM | TO role [, ...]
 * GRANT  EXECUTE EXTERNAL SCRIPT ON EXTERNAL LANGUAGE::name TO role [, ...]
 * REVOKE EXECUTE EXTERNAL SCRIPT ON EXTERNAL LANGUAGE::name FROM | TO role [, ...]
 * CREATE EXTERNAL RESOURCE POOL name [WITH (pool_option [, ...])]
 * ALTER  EXTERNAL RESOURCE POOL name WITH (pool_option [, ...])
 * ALTER  EXTERNAL RESOURCE POOL name ADD | DROP ROLE role [, ...]
 * DROP   EXTERNAL RESOURCE POOL name
 * ALTER  RESOURCE GOVERNOR RECONFIGURE
 *   pool_option := MAX_CPU_PERCENT = n | MAX_MEMORY_PERCENT = n | MAX_PROCESSES = n | AFFINITY CPU = AUTO
 * </pre>
 * Returns null for anything else (PostgreSQL's own GRANT and REVOKE are relayed).
 */
final class AdministrationParser extends TokenCursor {


    private AdministrationParser(List<Token> tokens) {
        super(tokens);
    }

    static Statement parse(List<Token> tokens) throws PgException {
        return new AdministrationParser(tokens).statement();
    }

    private Statement statement() throws PgException {
        Token first = tokens.get(0);
        if (first.isKeyword("CREATE") || first.isKeyword("ALTER") || first.isKeyword("DROP")) {
            return resourceGovernor(first);
        }
        if (first.isKeyword("RECONFIGURE")) {
            i = 1;
            if (peek().isKeyword("WITH")) {
                i++;
                expectKeyword("OVERRIDE");
            }
            expectEnd();
            return new Statement.Reconfigure();
        }
        boolean grant = first.isKeyword("GRANT");
        if (!grant && !first.isKeyword("REVOKE")) {
            return null;
        }
        i = 1;
        if (!peek().isKeyword("EXECUTE")) {
            return null;
        }
        i++;
        String language = null;
        if (peek().isKeyword("ANY")) {
            i++;
            if (!(peek().isKeyword("EXTERNAL") && at(1).isKeyword("SCRIPT"))) {
                return null;
            }
            i += 2;
        } else if (peek().isKeyword("EXTERNAL") && at(1).isKeyword("SCRIPT")) {
            i += 2;
            expectKeyword("ON");
            expectKeyword("EXTERNAL");
            expectKeyword("LANGUAGE");
            if (!peek().isSymbol("::")) {
                throw error(peek(), "\"::\" was expected, as in EXTERNAL LANGUAGE::Python");
            }
            i++;
            Token name = next();
            if (name.type() != TokenType.IDENTIFIER && name.type() != TokenType.QUOTED_IDENTIFIER) {
                throw error(name, "a language name was expected");
            }
            language = name.value();
        } else {
            return null;
        }
        if (peek().isKeyword("TO") || !grant && peek().isKeyword("FROM")) {
            i++;
        } else {
            throw error(peek(), grant ? "TO was expected" : "FROM was expected");
        }
        List<String> roles = new ArrayList<>();
        do {
            Token role = next();
            roles.add(switch (role.type()) {
                case IDENTIFIER -> role.value().toLowerCase(Locale.ROOT);
                case QUOTED_IDENTIFIER -> role.value();
                default -> throw error(role, "a role name was expected");
            });
        } while (accept(","));
        expectEnd();
        return new Statement.ScriptPermission(grant, language, roles);
    }

    private static final java.util.Set<String> POOL_OPTIONS = java.util.Set.of("MAX_CPU_PERCENT",
            "MAX_MEMORY_PERCENT", "MAX_PROCESSES");

    private Statement resourceGovernor(Token verb) throws PgException {
        i = 1;
        if (verb.isKeyword("ALTER") && peek().isKeyword("RESOURCE") && at(1).isKeyword("GOVERNOR")) {
            i += 2;
            expectKeyword("RECONFIGURE");
            expectEnd();
            return new Statement.ReconfigureResourceGovernor();
        }
        if (!(peek().isKeyword("EXTERNAL") && at(1).isKeyword("RESOURCE") && at(2).isKeyword("POOL"))) {
            return null;
        }
        i += 3;
        String name = name("a resource pool name");
        if (verb.isKeyword("DROP")) {
            expectEnd();
            return new Statement.ResourcePool(Statement.PoolAction.DROP, name, java.util.Map.of(), List.of());
        }
        if (verb.isKeyword("ALTER") && (peek().isKeyword("ADD") || peek().isKeyword("DROP"))) {
            boolean add = next().isKeyword("ADD");
            expectKeyword("ROLE");
            List<String> roles = new ArrayList<>();
            do {
                roles.add(name("a role name"));
            } while (accept(","));
            expectEnd();
            return new Statement.ResourcePool(add ? Statement.PoolAction.ADD_ROLE : Statement.PoolAction.DROP_ROLE,
                    name, java.util.Map.of(), roles);
        }
        java.util.Map<String, Integer> options = new java.util.LinkedHashMap<>();
        boolean create = verb.isKeyword("CREATE");
        if (peek().isKeyword("WITH") || !create) {
            expectKeyword("WITH");
            if (!accept("(")) {
                throw error(peek(), "\"(\" was expected");
            }
            do {
                option(options);
            } while (accept(","));
            if (!accept(")")) {
                throw error(peek(), "\")\" or \",\" was expected");
            }
        }
        expectEnd();
        return new Statement.ResourcePool(create ? Statement.PoolAction.CREATE : Statement.PoolAction.ALTER, name,
                options, List.of());
    }

    private void option(java.util.Map<String, Integer> options) throws PgException {
        Token option = next();
        String key = option.value().toUpperCase(Locale.ROOT);
        if (option.type() == TokenType.IDENTIFIER && key.equals("AFFINITY")) {
            // CPU affinity is not offered; AUTO (all CPUs, SQL Server's default) is accepted as written
            expectKeyword("CPU");
            if (!accept("=")) {
                throw error(peek(), "\"=\" was expected");
            }
            Token value = next();
            if (!value.isKeyword("AUTO")) {
                throw new PgException(ErrorFields.error(SqlState.FEATURE_NOT_SUPPORTED, "AFFINITY CPU = "
                        + value.value() + " is not supported: external resource pools always use all CPUs"
                        + " (AFFINITY CPU = AUTO); limit them with MAX_CPU_PERCENT").with('P',
                        String.valueOf(value.start() + 1)));
            }
            return;
        }
        if (option.type() != TokenType.IDENTIFIER || !POOL_OPTIONS.contains(key)) {
            throw error(option, "MAX_CPU_PERCENT, MAX_MEMORY_PERCENT, MAX_PROCESSES or AFFINITY was expected");
        }
        if (options.containsKey(key)) {
            throw error(option, key + " is given twice");
        }
        if (!accept("=")) {
            throw error(peek(), "\"=\" was expected");
        }
        Token value = next();
        if (value.type() != TokenType.NUMBER || !value.value().matches("[0-9]{1,9}")) {
            throw error(value, "a whole number was expected for " + key);
        }
        options.put(key, Integer.parseInt(value.value()));
    }

    /** An identifier: unquoted ones fold to lower case, as PostgreSQL folds them. */
    private String name(String what) throws PgException {
        Token name = next();
        return switch (name.type()) {
            case IDENTIFIER -> name.value().toLowerCase(Locale.ROOT);
            case QUOTED_IDENTIFIER -> name.value();
            default -> throw error(name, what + " was expected");
        };
    }
}
