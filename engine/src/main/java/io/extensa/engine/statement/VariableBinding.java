package io.extensa.engine.statement;

import io.extensa.engine.script.ScriptCallBinder;
import io.extensa.engine.sql.Lexer;
import io.extensa.engine.sql.Token;
import io.extensa.engine.sql.TokenType;
import io.extensa.engine.variables.SessionVariables;
import io.extensa.engine.variables.Variable;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.BindValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Replaces {@code @variable} references in SQL by bind parameters numbered after the client's own
 * ($1..$n stay the client's), so values are never spliced into the text.
 */
record VariableBinding(String sql, List<BindValue> values) {

    static VariableBinding of(String sql, SessionVariables variables, int clientParameters) throws PgException {
        List<Token> tokens = Lexer.tokenize(sql);
        int highest = clientParameters;
        for (Token t : tokens) {
            if (t.type() == TokenType.PARAMETER) {
                highest = Math.max(highest, Integer.parseInt(t.value()));
            }
        }
        StringBuilder out = new StringBuilder();
        Map<String, Integer> numbers = new HashMap<>();
        List<BindValue> values = new ArrayList<>();
        int copied = 0;
        for (Token t : tokens) {
            if (t.type() != TokenType.VARIABLE) {
                continue;
            }
            String key = t.value().toLowerCase(Locale.ROOT);
            Integer n = numbers.get(key);
            if (n == null) {
                if (!variables.isDeclared(t.value())) {
                    continue;
                }
                Variable v = variables.get(t.value()).orElseThrow(() -> ScriptCallBinder.undeclared(t.value()));
                n = highest + values.size() + 1;
                numbers.put(key, n);
                values.add(new BindValue(v.typeOid(), 1, v.value()));
            }
            out.append(sql, copied, t.start()).append('$').append(n);
            copied = t.end();
        }
        out.append(sql.substring(copied));
        return new VariableBinding(out.toString(), values);
    }

    /** All parameter values: the client's first, then the variables'. */
    List<BindValue> withClientValues(List<BindValue> client) {
        List<BindValue> all = new ArrayList<>(client);
        all.addAll(values);
        return all;
    }

    int[] types(List<BindValue> client) {
        return withClientValues(client).stream().mapToInt(BindValue::typeOid).toArray();
    }
}
