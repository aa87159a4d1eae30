package io.extensa.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void blocksAreSeparatedByOneBlankLine() {
        String markdown = new Report().heading(2, "Title").paragraph("Text.").bullets(List.of("a", "b"))
                .code("sh", "bin/bench relay").markdown();
        assertThat(markdown).isEqualTo("""
                ## Title

                Text.

                - a
                - b

                ```sh
                bin/bench relay
                ```
                """);
    }

    @Test
    void tablesRightAlignNumberColumnsAndEscapePipes() {
        var table = new Report.Table("variant", "ms").rightAligned(1).row("a | b", 1.5).row(null, "x\ny");
        String markdown = new Report().table(table).markdown();
        assertThat(markdown).isEqualTo("""
                | variant | ms |
                |---|---:|
                | a \\| b | 1.5 |
                |  | x y |
                """);
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsRefused() {
        assertThatThrownBy(() -> new Report.Table("a", "b").row("only one"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void appendedSectionsKeepTheirText() {
        Report section = new Report().heading(2, "Suite").paragraph("Numbers.");
        String markdown = new Report().heading(1, "Results").append(section).markdown();
        assertThat(markdown).isEqualTo("# Results\n\n## Suite\n\nNumbers.\n");
    }
}
