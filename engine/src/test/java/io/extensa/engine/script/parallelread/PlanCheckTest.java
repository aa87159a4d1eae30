package io.extensa.engine.script.parallelread;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlanCheckTest {

    private static String explain(String plan) {
        return "<explain xmlns=\"http://www.postgresql.org/2009/explain\"><Query>" + plan + "</Query></explain>";
    }

    private static String seqScan(String extra) {
        return "<Plan><Node-Type>Seq Scan</Node-Type><Parallel-Aware>false</Parallel-Aware>"
                + "<Relation-Name>t</Relation-Name><Schema>public</Schema><Alias>t</Alias>"
                + "<Output><Item>t.i</Item></Output>" + extra + "</Plan>";
    }

    @Test
    void aPlainSeqScanNamesItsRelation() {
        PlanCheck.Result r = PlanCheck.check(explain(seqScan("")), "Seq Scan");
        assertThat(r.plain()).isTrue();
        assertThat(r.schema()).isEqualTo("public");
        assertThat(r.relation()).isEqualTo("t");
    }

    @Test
    void aGatherOverOneScanIsPlain() {
        String gather = "<Plan><Node-Type>Gather</Node-Type><Plans>" + seqScan("").replace("<Plan>",
                "<Plan><Parent-Relationship>Outer</Parent-Relationship>") + "</Plans></Plan>";
        assertThat(PlanCheck.check(explain(gather), "Seq Scan").plain()).isTrue();
    }

    @Test
    void filtersSubplansAndOtherNodesAreRefused() {
        assertThat(PlanCheck.check(explain(seqScan("<Filter>(t.i > 1)</Filter>")), "Seq Scan").refusal())
                .isEqualTo("the plan's Seq Scan has a Filter");
        assertThat(PlanCheck.check(explain(seqScan("<Plans>" + seqScan("") + "</Plans>")), "Seq Scan").refusal())
                .isEqualTo("the Seq Scan has subplans");
        assertThat(PlanCheck.check(explain("<Plan><Node-Type>Sort</Node-Type><Plans>" + seqScan("")
                + "</Plans></Plan>"), "Seq Scan").refusal()).isEqualTo("the plan is a Sort, not a single Seq Scan");
        assertThat(PlanCheck.check(explain("<Plan><Node-Type>Result</Node-Type><One-Time-Filter>false"
                + "</One-Time-Filter></Plan>"), "Seq Scan").plain()).isFalse();
        assertThat(PlanCheck.check("not xml", "Seq Scan").plain()).isFalse();
    }

    @Test
    void theReadersTidRangeScanMayCarryItsTidCondition() {
        String range = seqScan("<TID-Cond>(t.ctid &lt; '(5,0)'::tid)</TID-Cond>").replace("Seq Scan",
                "Tid Range Scan");
        assertThat(PlanCheck.check(explain(range), "Tid Range Scan").plain()).isTrue();
        assertThat(PlanCheck.check(explain(range), "Seq Scan").plain()).isFalse();
    }
}
