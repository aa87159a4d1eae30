package io.extensa.bench.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExtensaScriptTest {

    @Test
    void unicodeLiteralsDoubleTheirQuotes() {
        assertThat(ExtensaScript.nLiteral("print('hi')")).isEqualTo("N'print(''hi'')'");
    }

    @Test
    void theCallIsWrittenAsSqlServerUsersWriteIt() {
        assertThat(ExtensaScript.exec("Python", "OutputDataSet = InputDataSet", Optional.of("SELECT 'a' AS x")))
                .isEqualTo("EXEC sp_execute_external_script @language = N'Python', @script = N'OutputDataSet = "
                        + "InputDataSet', @input_data_1 = N'SELECT ''a'' AS x'");
        assertThat(ExtensaScript.exec("R", "x <- 1", Optional.empty()))
                .isEqualTo("EXEC sp_execute_external_script @language = N'R', @script = N'x <- 1'");
    }

    @Test
    void theTrivialCallEchoesOneRowInEachLanguage() {
        assertThat(ExtensaScript.trivial("Python")).contains("@script = N'OutputDataSet = InputDataSet'")
                .contains("@input_data_1 = N'SELECT 1 AS x'");
        assertThat(ExtensaScript.trivial("R")).contains("@script = N'OutputDataSet <- InputDataSet'");
    }
}
