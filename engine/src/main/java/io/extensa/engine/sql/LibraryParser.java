package io.extensa.engine.sql;

import io.extensa.engine.sql.ast.Statement;
import io.extensa.pgwire.PgException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * External library statements, in SQL Server's syntax:
 * <pre>
 * CREATE EXTERNAL LIBRARY name [AUTHORIZATION owner]
 *     FROM (CONTENT = 0x... | 'server path' [, PLATFORM = LINUX]) WITH (LANGUAGE = 'Python' | 'R')
 * ALTER EXTERNAL LIBRARY name [AUTHORIZATION owner] SET (CONTENT = ... [, PLATFORM = LINUX]) [WITH (LANGUAGE = '...')]
 * DROP EXTERNAL LIBRARY name [AUTHORIZATION owner]
 * GRANT | REVOKE CREATE EXTERNAL LIBRARY | ALTER ANY EXTERNAL LIBRARY TO | FROM role [, ...]
 * </pre>
 * {@link #parse} returns null for anything else.
 */
final class LibraryParser extends TokenCursor {


    private LibraryParser(List<Token> tokens) {
        super(tokens);
    }

    static Statement parse(List<Token> tokens) throws PgException {
        return new LibraryParser(tokens).statement();
    }

    /** CREATE|ALTER|DROP EXTERNAL LIBRARY, or GRANT|REVOKE CREATE EXTERNAL LIBRARY / ALTER ANY EXTERNAL LIBRARY. */
    static boolean isLibraryStatement(List<Token> tokens) {
        Token first = tokens.get(0);
        if (first.isKeyword("CREATE") || first.isKeyword("ALTER") || first.isKeyword("DROP")) {
            return at(tokens, 1).isKeyword("EXTERNAL") && at(tokens, 2).isKeyword("LIBRARY");
        }
        if (first.isKeyword("GRANT") || first.isKeyword("REVOKE")) {
            return at(tokens, 1).isKeyword("CREATE") && at(tokens, 2).isKeyword("EXTERNAL")
                    && at(tokens, 3).isKeyword("LIBRARY")
                    || at(tokens, 1).isKeyword("ALTER") && at(tokens, 2).isKeyword("ANY")
                    && at(tokens, 3).isKeyword("EXTERNAL") && at(tokens, 4).isKeyword("LIBRARY");
        }
        return false;
    }

    private static Token at(List<Token> tokens, int index) {
        return tokens.get(Math.min(index, tokens.size() - 1));
    }

    private Statement statement() throws PgException {
        if (!isLibraryStatement(tokens)) {
            return null;
        }
        Token first = next();
        if (first.isKeyword("GRANT") || first.isKeyword("REVOKE")) {
            return permission(first.isKeyword("GRANT"));
        }
        i += 2;
        String name = name("a library name");
        String owner = null;
        if (peek().isKeyword("AUTHORIZATION")) {
            i++;
            owner = role();
        }
        if (first.isKeyword("DROP")) {
            expectEnd();
            return new Statement.DropLibrary(name, owner);
        }
        Statement.LibraryContent content;
        String language = null;
        if (first.isKeyword("CREATE")) {
            expectKeyword("FROM");
            content = content();
            expectKeyword("WITH");
            language = language();
            expectEnd();
            return new Statement.CreateLibrary(name, owner, content, language);
        }
        expectKeyword("SET");
        content = content();
        if (peek().isKeyword("WITH")) {
            i++;
            language = language();
        }
        expectEnd();
        return new Statement.AlterLibrary(name, owner, content, language);
    }

    private Statement permission(boolean grant) throws PgException {
        boolean alterAny = peek().isKeyword("ALTER");
        i += alterAny ? 4 : 3;
        if (peek().isKeyword("TO") || !grant && peek().isKeyword("FROM")) {
            i++;
        } else {
            throw error(peek(), grant ? "TO was expected" : "FROM was expected");
        }
        List<String> roles = new ArrayList<>();
        do {
            roles.add(role());
        } while (accept(","));
        expectEnd();
        return new Statement.LibraryPermission(grant, alterAny, roles);
    }

    /** (CONTENT = 0x... | 'path' [, PLATFORM = LINUX]) */
    private Statement.LibraryContent content() throws PgException {
        expect("(");
        expectKeyword("CONTENT");
        expect("=");
        Token value = next();
        Statement.LibraryContent content = switch (value.type()) {
            case BINARY -> {
                if (value.value().isEmpty() || value.value().length() % 2 != 0) {
                    throw error(value, "CONTENT = 0x... needs an even, non-zero number of hexadecimal digits");
                }
                yield new Statement.LibraryContent(HexFormat.of().parseHex(value.value()), null);
            }
            case STRING -> {
                if (value.value().isBlank()) {
                    throw error(value, "CONTENT needs a file path on the server or 0x... bytes");
                }
                yield new Statement.LibraryContent(null, value.value());
            }
            default -> throw error(value, "CONTENT = 0x... (the archive's bytes) or 'path on the server' was expected");
        };
        if (accept(",")) {
            expectKeyword("PLATFORM");
            expect("=");
            Token platform = next();
            if (!platform.isKeyword("LINUX") && !(platform.type() == TokenType.STRING
                    && platform.value().equalsIgnoreCase("linux"))) {
                throw error(platform, "only PLATFORM = LINUX is supported");
            }
        }
        expect(")");
        return content;
    }

    /** (LANGUAGE = 'Python') */
    private String language() throws PgException {
        expect("(");
        expectKeyword("LANGUAGE");
        expect("=");
        Token value = next();
        if (value.type() != TokenType.STRING && value.type() != TokenType.IDENTIFIER
                && value.type() != TokenType.QUOTED_IDENTIFIER || value.value().isBlank()) {
            throw error(value, "a language name was expected, as in LANGUAGE = 'Python'");
        }
        expect(")");
        return value.value();
    }

    /** A library name: unquoted or quoted, kept as written (names compare case-insensitively). */
    private String name(String what) throws PgException {
        Token t = next();
        if (t.type() != TokenType.IDENTIFIER && t.type() != TokenType.QUOTED_IDENTIFIER || t.value().isEmpty()) {
            throw error(t, what + " was expected");
        }
        return t.value();
    }

    /** A role name as PostgreSQL resolves it: unquoted folds to lower case. */
    private String role() throws PgException {
        Token role = next();
        return switch (role.type()) {
            case IDENTIFIER -> role.value().toLowerCase(Locale.ROOT);
            case QUOTED_IDENTIFIER -> role.value();
            default -> throw error(role, "a role name was expected");
        };
    }
}
