package io.extensa.engine.types;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InputGoldenTest {

    @Test
    void smoke() throws Exception {
        ScratchPostgres pg = ScratchPostgres.get();
        String query = "SELECT v FROM (VALUES (1::float8), ('NaN'), (NULL), ('-Infinity'), (1e16), (0.1)) t(v)";
        DeclaredType type = TypeCatalog.parseBuiltIn("double precision");
        GoldenSupport.Decoded d = GoldenSupport.decode(pg, query, type, 7);
        List<String> expected = GoldenSupport.column(pg.query(query));
        ValueEncoder text = GoldenSupport.natural(d.plan().spec(), type, SessionSettings.DEFAULT, Destination.CLIENT)
                .encoder(0);
        assertThat(GoldenSupport.texts(d.column(), text)).isEqualTo(expected);
    }
}
