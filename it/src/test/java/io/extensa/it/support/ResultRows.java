package io.extensa.it.support;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A query's rows as "a|b|c" strings, and the notices that came with them. */
public final class ResultRows {

    private ResultRows() {
    }

    /**
     * Runs {@code sql} and returns its rows; {@code notices} is emptied, then gets the notices that
     * arrived while the result was read (pgjdbc keeps them on the ResultSet), one per line.
     */
    public static List<String> read(Statement s, String sql, StringBuilder notices) throws SQLException {
        List<String> out = new ArrayList<>();
        notices.setLength(0);
        try (ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
            for (SQLWarning w = rs.getWarnings(); w != null; w = w.getNextWarning()) {
                notices.append(w.getMessage()).append('\n');
            }
        }
        return out;
    }
}
