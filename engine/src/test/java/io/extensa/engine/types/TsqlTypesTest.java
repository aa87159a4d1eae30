package io.extensa.engine.types;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class TsqlTypesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            int                 | integer
            INT                 | integer
            integer             | integer
            bigint              | bigint
            smallint            | smallint
            tinyint             | smallint
            bit                 | boolean
            float               | double precision
            float(24)           | real
            float(1)            | real
            float(25)           | double precision
            float(53)           | double precision
            real                | real
            decimal(12,6)       | numeric(12,6)
            decimal(12, 6)      | numeric(12,6)
            DECIMAL(5)          | numeric(5)
            numeric(18,2)       | numeric(18,2)
            dec(4,1)            | numeric(4,1)
            decimal             | numeric
            money               | numeric(19,4)
            smallmoney          | numeric(10,4)
            varchar(50)         | varchar(50)
            nvarchar(50)        | varchar(50)
            NVARCHAR(MAX)       | text
            varchar(max)        | text
            varchar             | varchar
            text                | text
            ntext               | text
            char(10)            | char(10)
            nchar(10)           | char(10)
            nchar               | char
            varbinary(16)       | bytea
            varbinary(max)      | bytea
            binary(8)           | bytea
            image               | bytea
            rowversion          | bytea
            date                | date
            datetime            | timestamp
            smalldatetime       | timestamp
            datetime2           | timestamp
            datetime2(3)        | timestamp(3)
            datetimeoffset      | timestamptz
            datetimeoffset(7)   | timestamptz(7)
            time                | time
            time(3)             | time(3)
            uniqueidentifier    | uuid
            UniqueIdentifier    | uuid
            sysname             | varchar(128)
            xml                 | xml
            [int]               | integer
            [nvarchar](100)     | varchar(100)
            [NVARCHAR](MAX)     | text
            double precision    | double precision
            timestamptz         | timestamptz
            timestamp(3) with time zone | timestamp(3) with time zone
            text[]              | text[]
            int[]               | integer[]
            varchar(10)[]       | varchar(10)[]
            jsonb               | jsonb
            numeric(12,6)       | numeric(12,6)
            character varying(20) | character varying(20)
            "schema"."type"     | "schema"."type"
            public.mood         | public.mood
            [dbo].[my type]     | "dbo"."my type"
            [my type]           | "my type"
            bit(3)              | bit(3)
            interval day to second | interval day to second
            mood                | mood
            """)
    void mapsTypeNames(String written, String expected) {
        assertThat(TsqlTypes.toPostgres(written)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"'  int  ', integer", "' varchar ( 10 ) ', varchar(10)"})
    void ignoresSurroundingSpace(String written, String expected) {
        assertThat(TsqlTypes.toPostgres(written)).isEqualTo(expected);
    }
}
