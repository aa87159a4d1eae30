package io.extensa.it.script;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ProcessResult;
import org.junit.jupiter.api.Test;

/**
 * SQL Server's Python quickstarts, adapted only in their SQL: a model trained with scikit-learn,
 * returned as a varbinary(max) OUTPUT parameter, stored in a table, loaded again to predict.
 */
class QuickstartIT {

    @Test
    void irisModelIsTrainedStoredAndUsedForPredictions() {
        ExtensaStack stack = ExtensaStack.get();
        ProcessResult r = stack.psql("""
                DROP TABLE IF EXISTS iris_data, iris_models;
                CREATE TABLE iris_data (id int, sepal_length float8, sepal_width float8, petal_length float8,
                                        petal_width float8, species_id int);
                INSERT INTO iris_data
                EXEC sp_execute_external_script @language = N'Python', @script = N'
                from sklearn import datasets
                import pandas as pd
                iris = datasets.load_iris()
                df = pd.DataFrame(iris.data, columns=["sepal_length", "sepal_width", "petal_length", "petal_width"])
                df.insert(0, "id", range(len(df)))
                df["species_id"] = iris.target
                OutputDataSet = df
                ';
                CREATE TABLE iris_models (model_name varchar(30) NOT NULL PRIMARY KEY, model bytea NOT NULL);

                DECLARE @trained_model varbinary(max);
                EXECUTE sp_execute_external_script @language = N'Python'
                  , @script = N'
                import pickle
                from sklearn.naive_bayes import GaussianNB
                GNB = GaussianNB()
                trained_model = pickle.dumps(GNB.fit(iris_data[["sepal_length", "sepal_width", "petal_length", "petal_width"]],
                                                     iris_data[["species_id"]].values.ravel()))
                '
                  , @input_data_1 = N'SELECT * FROM iris_data'
                  , @input_data_1_name = N'iris_data'
                  , @params = N'@trained_model varbinary(max) OUTPUT'
                  , @trained_model = @trained_model OUTPUT;
                INSERT INTO iris_models (model_name, model) VALUES ('Naive Bayes', @trained_model);

                DECLARE @nb_model varbinary(max) = (SELECT model FROM iris_models WHERE model_name = 'Naive Bayes');
                EXEC sp_execute_external_script @language = N'Python'
                  , @script = N'
                import pickle
                irismodel = pickle.loads(nb_model)
                species_pred = irismodel.predict(iris_data[["sepal_length", "sepal_width", "petal_length", "petal_width"]])
                iris_data["PredictedSpecies"] = species_pred
                OutputDataSet = iris_data[["id", "species_id", "PredictedSpecies"]]
                print(OutputDataSet.head())
                '
                  , @input_data_1 = N'SELECT id, sepal_length, sepal_width, petal_length, petal_width, species_id FROM iris_data'
                  , @input_data_1_name = N'iris_data'
                  , @params = N'@nb_model varbinary(max)'
                  , @nb_model = @nb_model
                WITH RESULT SETS ((id int, "SpeciesId" int, "SpeciesId.Predicted" int));
                SELECT count(*) AS models, min(length(model)) > 100 AS big_enough FROM iris_models;
                """, "-A").assertOk();
        assertThat(r.stdout()).contains("INSERT 0 150").contains("id|SpeciesId|SpeciesId.Predicted")
                .contains("(150 rows)").contains("1|t");
        assertThat(r.stderr()).contains("PredictedSpecies");
    }

    @Test
    void helloWorld() {
        ProcessResult r = ExtensaStack.get().psql("", "-c",
                "EXECUTE sp_execute_external_script @language = N'Python', @script = N'print(\"Hello World\")'")
                .assertOk();
        assertThat(r.stderr()).contains("Hello World");
    }
}
