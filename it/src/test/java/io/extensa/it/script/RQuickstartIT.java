package io.extensa.it.script;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ProcessResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SQL Server's R quickstarts, adapted only in their SQL (no stored procedures, PostgreSQL types):
 * hello world, a model trained on a table, serialized into a varbinary(max) OUTPUT parameter or
 * result, stored, and used with predict() in a second call; a data.frame of mixed types and NAs.
 */
class RQuickstartIT {

    @Test
    void helloWorld() {
        ExtensaStack stack = ExtensaStack.get();
        ProcessResult printed = stack.psql("", "-c",
                "EXECUTE sp_execute_external_script @language = N'R', @script = N'print(\"Hello World\")'").assertOk();
        assertThat(printed.stderr()).contains("[1] \"Hello World\"");
        ProcessResult simple = stack.psql("""
                EXECUTE sp_execute_external_script @language = N'R', @script = N'
                a <- 1
                b <- 2
                c <- a/b
                d <- a*b
                print(c(c, d))
                ';
                EXECUTE sp_execute_external_script @language = N'R'
                    , @script = N'OutputDataSet <- InputDataSet;'
                    , @input_data_1 = N'SELECT 1 AS hello'
                WITH RESULT SETS (([Hello World] int));
                """, "-A").assertOk();
        assertThat(simple.stderr()).contains("[1] 0.5 2.0");
        assertThat(simple.stdout()).contains("Hello World").contains("1\n(1 row)");
    }

    @Test
    void glmModelIsTrainedSerializedIntoAnOutputParameterStoredAndUsedToPredict() {
        ProcessResult r = ExtensaStack.get().psql("""
                DROP TABLE IF EXISTS mtcars_data, glm_models, new_mtcars;
                CREATE TABLE mtcars_data (mpg numeric(10, 1) NOT NULL, cyl int NOT NULL, disp numeric(10, 1) NOT NULL,
                    hp int NOT NULL, drat numeric(10, 2) NOT NULL, wt numeric(10, 3) NOT NULL, qsec numeric(10, 2) NOT NULL,
                    vs int NOT NULL, am int NOT NULL, gear int NOT NULL, carb int NOT NULL);
                INSERT INTO mtcars_data
                EXEC sp_execute_external_script @language = N'R'
                    , @script = N'MTCars <- mtcars;'
                    , @input_data_1 = N''
                    , @output_data_1_name = N'MTCars';

                CREATE TABLE glm_models (model_name varchar(30) NOT NULL PRIMARY KEY, model bytea NOT NULL);
                DECLARE @trained_model varbinary(max);
                EXECUTE sp_execute_external_script @language = N'R'
                    , @script = N'
                carsModel <- glm(am ~ hp + wt, data = MTCarsData, family = binomial)
                trained_model <- serialize(carsModel, connection = NULL)
                '
                    , @input_data_1 = N'SELECT hp, wt, am FROM mtcars_data'
                    , @input_data_1_name = N'MTCarsData'
                    , @params = N'@trained_model varbinary(max) OUTPUT'
                    , @trained_model = @trained_model OUTPUT;
                INSERT INTO glm_models (model_name, model) VALUES ('GLM', @trained_model);

                CREATE TABLE new_mtcars (hp int NOT NULL, wt numeric(10, 3) NOT NULL, am int NULL);
                INSERT INTO new_mtcars (hp, wt) VALUES (110, 2.634), (72, 3.435), (220, 5.220), (120, 2.800);

                DECLARE @glmmodel varbinary(max) = (SELECT model FROM glm_models WHERE model_name = 'GLM');
                EXEC sp_execute_external_script @language = N'R'
                    , @script = N'
                current_model <- unserialize(as.raw(glmmodel))
                new <- data.frame(NewMTCars)
                predicted.am <- predict(current_model, new, type = "response")
                str(predicted.am)
                OutputDataSet <- cbind(new, predicted.am)
                '
                    , @input_data_1 = N'SELECT hp, wt FROM new_mtcars'
                    , @input_data_1_name = N'NewMTCars'
                    , @params = N'@glmmodel varbinary(max)'
                    , @glmmodel = @glmmodel
                WITH RESULT SETS ((new_hp int, new_wt decimal(10,3), predicted_am decimal(10,3)));
                SELECT count(*) AS cars, sum(am) AS manual FROM mtcars_data;
                SELECT count(*) AS models, min(length(model)) > 1000 AS big_enough FROM glm_models;
                """, "-A").assertOk();
        assertThat(r.stdout()).contains("INSERT 0 32").contains("new_hp|new_wt|predicted_am")
                .contains("110|2.634|0.827").contains("120|2.800|0.642").contains("(4 rows)").contains("32|13").contains("1|t");
        assertThat(r.stderr()).contains("Named num [1:4]");
    }

    @Test
    void modelReturnedAsARawDataFrameAsInSqlServersQuickstart() {
        ProcessResult r = ExtensaStack.get().psql("""
                DROP TABLE IF EXISTS car_speed, lm_models;
                CREATE TABLE car_speed (speed int NOT NULL, distance int NOT NULL);
                INSERT INTO car_speed
                EXEC sp_execute_external_script @language = N'R'
                    , @script = N'car_speed <- cars;'
                    , @input_data_1 = N''
                    , @output_data_1_name = N'car_speed';
                CREATE TABLE lm_models (model bytea);
                INSERT INTO lm_models (model)
                EXEC sp_execute_external_script @language = N'R'
                    , @script = N'lrmodel <- lm(formula = distance ~ speed, data = CarsData)
                trained_model <- data.frame(payload = as.raw(serialize(lrmodel, connection = NULL)))'
                    , @input_data_1 = N'SELECT speed, distance FROM car_speed'
                    , @input_data_1_name = N'CarsData'
                    , @output_data_1_name = N'trained_model'
                WITH RESULT SETS ((model varbinary(max)));
                DECLARE @speedmodel varbinary(max) = (SELECT model FROM lm_models);
                EXEC sp_execute_external_script @language = N'R'
                    , @script = N'
                current_model <- unserialize(as.raw(speedmodel))
                new <- data.frame(speed = c(40, 50, 60))
                predicted.distance <- predict(current_model, new)
                OutputDataSet <- cbind(new, ceiling(predicted.distance))
                '
                    , @params = N'@speedmodel varbinary(max)'
                    , @speedmodel = @speedmodel
                WITH RESULT SETS ((new_speed int, predicted_distance int));
                SELECT count(*) FROM lm_models;
                """, "-A").assertOk();
        assertThat(r.stdout()).contains("INSERT 0 50").contains("INSERT 0 1").contains("new_speed|predicted_distance")
                .contains("40|140").contains("60|219");
    }

    @Test
    void dataFrameOfMixedTypesAndNasComesBackWithItsColumnNames() throws SQLException {
        String script = """
                OutputDataSet <- data.frame(
                    id = c(1L, 2L, NA),
                    name = c("Ada", NA, "Linus"),
                    score = c(9.5, NaN, NA),
                    passed = c(TRUE, NA, FALSE),
                    born = as.Date(c("1815-12-10", NA, "1969-12-28")),
                    grade = factor(c("A", "B", NA)),
                    stringsAsFactors = FALSE)
                """;
        try (Connection c = ExtensaStack.get().connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("EXEC sp_execute_external_script @language = N'R', @script = N'"
                     + script.replace("'", "''") + "'")) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                columns.add(md.getColumnName(i) + ":" + md.getColumnTypeName(i));
            }
            assertThat(columns).containsExactly("id:int4", "name:text", "score:float8", "passed:bool", "born:date", "grade:text");
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    values.add(String.valueOf(rs.getString(i)));
                }
                rows.add(String.join("|", values));
            }
            assertThat(rows).containsExactly("1|Ada|9.5|t|1815-12-10|A", "2|null|NaN|null|null|B", "null|Linus|null|f|1969-12-28|null");
        }
    }
}
