package io.extensa.pgwire.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlSplitterTest {

    @Test
    void splitsAtTopLevelSemicolons() {
        assertThat(SqlSplitter.split("SELECT 1; SELECT 2;")).containsExactly("SELECT 1", "SELECT 2");
    }

    @Test
    void ignoresSemicolonsInStringsIdentifiersCommentsAndDollarQuotes() {
        String sql = "SELECT 'a;b', \"c;d\", E'e\\';f' -- g;h\n; /* i; /* j; */ k; */ SELECT $x$ l; $x$, $$m;$$";
        assertThat(SqlSplitter.split(sql)).containsExactly(
                "SELECT 'a;b', \"c;d\", E'e\\';f' -- g;h",
                "/* i; /* j; */ k; */ SELECT $x$ l; $x$, $$m;$$");
    }

    @Test
    void keepsPositionalParametersApartFromDollarQuotes() {
        assertThat(SqlSplitter.split("SELECT $1; SELECT $2")).containsExactly("SELECT $1", "SELECT $2");
    }

    @Test
    void doubledQuotesStayInsideTheString() {
        assertThat(SqlSplitter.split("EXEC p @s = N'it''s; fine'; SELECT 1"))
                .containsExactly("EXEC p @s = N'it''s; fine'", "SELECT 1");
    }

    @Test
    void emptyAndCommentOnlyTextYieldsOneEmptyStatement() {
        assertThat(SqlSplitter.split(" ; -- nothing\n")).containsExactly("");
    }

    @Test
    void unterminatedQuoteSwallowsTheRestLikePostgresWould() {
        assertThat(SqlSplitter.split("SELECT 'x; SELECT 2")).containsExactly("SELECT 'x; SELECT 2");
    }
}
