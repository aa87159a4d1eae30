package io.extensa.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** psycopg2 (Debian's python3-psycopg2) through the gateway: queries, copy_expert, named cursors, notices. */
class Psycopg2ThroughGatewayIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() {
        stack = ExtensaStack.get();
    }

    @Test
    void queriesParametersAndTransactions() {
        String out = stack.python("""
                import os, psycopg2
                conn = psycopg2.connect(os.environ['EXTENSA_DSN'])
                cur = conn.cursor()
                cur.execute("DROP TABLE IF EXISTS py_items; CREATE TABLE py_items (id int, name text)")
                cur.executemany("INSERT INTO py_items VALUES (%s, %s)", [(i, 'n%d' % i) for i in range(100)])
                conn.commit()
                cur.execute("SELECT count(*), max(name) FROM py_items WHERE id < %s", (50,))
                print(cur.fetchone())
                cur.execute("INSERT INTO py_items VALUES (-1, 'x')")
                conn.rollback()
                cur.execute("SELECT count(*) FROM py_items WHERE id = -1")
                print(cur.fetchone()[0])
                """).assertOk().stdout();
        assertThat(out).contains("(50, 'n9')").contains("\n0");
    }

    @Test
    void copyExpertInAndOut() {
        String out = stack.python("""
                import io, os, psycopg2
                conn = psycopg2.connect(os.environ['EXTENSA_DSN'])
                cur = conn.cursor()
                cur.execute("DROP TABLE IF EXISTS py_copy; CREATE TABLE py_copy (a int, b text)")
                data = ''.join('%d,line %d\\n' % (i, i) for i in range(2000))
                cur.copy_expert("COPY py_copy FROM STDIN WITH (FORMAT csv)", io.StringIO(data))
                buf = io.StringIO()
                cur.copy_expert("COPY (SELECT * FROM py_copy ORDER BY a) TO STDOUT WITH (FORMAT csv)", buf)
                print(buf.getvalue() == data, cur.rowcount)
                conn.commit()
                """).assertOk().stdout();
        assertThat(out.strip()).isEqualTo("True 2000");
    }

    @Test
    void namedCursorsFetchInChunks() {
        String out = stack.python("""
                import os, psycopg2
                conn = psycopg2.connect(os.environ['EXTENSA_DSN'])
                cur = conn.cursor(name='big')
                cur.itersize = 500
                cur.execute("SELECT g FROM generate_series(1, 10000) g")
                total = 0
                for (g,) in cur:
                    total += g
                print(total)
                """).assertOk().stdout();
        assertThat(out.strip()).isEqualTo("50005000");
    }

    @Test
    void noticesAreCollected() {
        String out = stack.python("""
                import os, psycopg2
                conn = psycopg2.connect(os.environ['EXTENSA_DSN'])
                conn.autocommit = True
                cur = conn.cursor()
                cur.execute("DO $$ BEGIN RAISE NOTICE 'from plpgsql'; END $$")
                print(conn.notices)
                """).assertOk().stdout();
        assertThat(out).contains("from plpgsql");
    }
}
