package io.extensa.it.library;

import static io.extensa.it.library.Archives.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * R libraries: source packages built here with R CMD build, installed by CREATE EXTERNAL LIBRARY
 * with R CMD INSTALL (C code compiled), and loaded by a real R from the directories the engine
 * hands to satellites in EXTENSA_LIBRARY_PATH; a package that does not compile is refused whole.
 */
class RLibrariesIT {

    private static final String C_CODE = """
            #include <R.h>
            #include <Rinternals.h>
            SEXP twice_c(SEXP x) { return ScalarReal(2 * asReal(x)); }
            """;

    private static ExtensaStack stack;

    @BeforeAll
    static void start() {
        stack = ExtensaStack.get();
    }

    @Test
    void sourcePackageWithCompiledCodeInstallsAndLoadsFromTheLibraryPath() throws Exception {
        byte[] pkg = Archives.rPackage("rtwice", "0.1.0",
                "twice <- function(x) .Call(\"twice_c\", as.numeric(x))\n", C_CODE);
        try (Connection admin = stack.connect(); Statement s = admin.createStatement()) {
            s.execute("CREATE EXTERNAL LIBRARY rtwice FROM (CONTENT = " + hex(pkg) + ") WITH (LANGUAGE = 'R')");
            try (ResultSet rs = s.executeQuery("SELECT language, scope_desc FROM sys.external_libraries "
                    + "WHERE name = 'rtwice'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("R");
                assertThat(rs.getString(2)).isEqualTo("PUBLIC");
            }
            List<Path> installed = PythonLibrariesIT.installed("rtwice");
            assertThat(installed).hasSize(1);
            assertThat(installed.get(0).resolve("rtwice/DESCRIPTION")).exists();

            // what the R satellite does with EXTENSA_LIBRARY_PATH (docs/sql-reference.md)
            String program = ".libPaths(c(strsplit(Sys.getenv('EXTENSA_LIBRARY_PATH'), ':')[[1]], .libPaths())); "
                    + "library(rtwice); cat(twice(21))";
            ProcessResult r = ExtensaStack.run(List.of("Rscript", "-e", program), "",
                    Map.of("EXTENSA_LIBRARY_PATH", installed.get(0).toString()), Duration.ofMinutes(1)).assertOk();
            assertThat(r.stdout()).isEqualTo("42");

            s.execute("DROP EXTERNAL LIBRARY rtwice");
            assertThat(PythonLibrariesIT.installed("rtwice")).isEmpty();
        }
    }

    @Test
    void packageThatFailsToCompileIsRefusedWithTheCompilerOutputAndLeavesNothing() throws Exception {
        byte[] pkg = Archives.rPackage("rbroken", "0.1.0", "f <- function() 1\n", "this is not C;\n");
        try (Connection admin = stack.connect(); Statement s = admin.createStatement()) {
            assertThatThrownBy(() -> s.execute("CREATE EXTERNAL LIBRARY rbroken FROM (CONTENT = " + hex(pkg)
                    + ") WITH (LANGUAGE = 'R')"))
                    .isInstanceOf(PSQLException.class)
                    .hasMessageContaining("R CMD INSTALL failed")
                    .hasMessageContaining("code.c")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("38L01");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sys.external_libraries WHERE name = 'rbroken'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
        assertThat(PythonLibrariesIT.installed("rbroken")).isEmpty();
        Path tmp = stack.dataDir().resolve("libraries/.tmp");
        if (Files.exists(tmp)) {
            try (var left = Files.list(tmp)) {
                assertThat(left).isEmpty();
            }
        }
    }

    @Test
    void packageNameMustMatchAndTarMustBeValid() throws SQLException {
        byte[] pkg = Archives.rPackage("rnamed", "0.1.0", "f <- function() 1\n", null);
        try (Connection admin = stack.connect(); Statement s = admin.createStatement()) {
            assertThatThrownBy(() -> s.execute("CREATE EXTERNAL LIBRARY rother FROM (CONTENT = " + hex(pkg)
                    + ") WITH (LANGUAGE = 'R')")).hasMessageContaining("must be the package's name");
            assertThatThrownBy(() -> s.execute("CREATE EXTERNAL LIBRARY rnamed FROM (CONTENT = 0x00112233) "
                    + "WITH (LANGUAGE = 'R')")).hasMessageContaining("not a gzip-compressed tar archive");
        }
    }
}
