package io.extensa.engine.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.pgwire.PgException;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputShapeTest {

    private static final List<String> COLUMNS = List.of("region", "Year", "amount");

    @Test
    void partitionAndOrderColumnsBecomeOneSortAndKeyIndexes() throws PgException {
        InputShape shape = InputShape.of("SELECT * FROM sales", "(region, \"Year\")", "amount DESC NULLS LAST",
                COLUMNS);
        assertThat(shape.partitionColumns()).containsExactly(0, 1);
        assertThat(shape.partitionNames()).containsExactly("region", "Year");
        assertThat(shape.query()).isEqualTo("SELECT * FROM (SELECT * FROM sales\n) AS extensa_input "
                + "ORDER BY \"region\", \"Year\", \"amount\" DESC NULLS LAST");
    }

    @Test
    void unquotedNamesFoldToLowerCaseLikePostgres() throws PgException {
        assertThat(InputShape.of("q", "REGION", null, COLUMNS).partitionColumns()).containsExactly(0);
        assertThatThrownBy(() -> InputShape.of("q", "year", null, COLUMNS))
                .isInstanceOf(PgException.class)
                .hasMessageContaining("\"year\" is not a column of @input_data_1")
                .extracting(e -> ((PgException) e).sqlState()).isEqualTo("42703");
    }

    @Test
    void noListsLeaveTheQueryAlone() throws PgException {
        InputShape shape = InputShape.of("SELECT 1", null, null, COLUMNS);
        assertThat(shape.partitioned()).isFalse();
        assertThat(shape.query()).isEqualTo("SELECT 1");
    }

    @Test
    void garbageInAListIsRefusedWithThePosition() {
        assertThatThrownBy(() -> InputShape.of("q", "region; DROP TABLE x", null, COLUMNS))
                .hasMessageContaining("unexpected");
        assertThatThrownBy(() -> InputShape.of("q", "region DESC", null, COLUMNS))
                .hasMessageContaining("unexpected 'DESC'");
        assertThatThrownBy(() -> InputShape.of("q", "(1abc)", null, COLUMNS))
                .hasMessageContaining("expected a column name");
        assertThatThrownBy(() -> InputShape.of("q", "\"open", null, COLUMNS))
                .hasMessageContaining("unterminated");
    }

    @Test
    void aColumnNamedTwiceInTheInputIsAmbiguous() {
        assertThatThrownBy(() -> InputShape.of("q", "a", null, List.of("a", "a")))
                .extracting(e -> ((PgException) e).sqlState()).isEqualTo("42702");
    }
}
