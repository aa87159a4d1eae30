package io.extensa.engine.script.parallelread;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * Reads PostgreSQL's {@code EXPLAIN (VERBOSE, FORMAT XML)} of a query and says whether it is a
 * plain scan of one relation: a Seq Scan (or a Tid Range Scan, for the readers' own queries),
 * possibly under a Gather, with no filter or condition anywhere and no subplans.
 */
final class PlanCheck {

    /** The scanned relation, or why the plan is not a plain scan. */
    record Result(String schema, String relation, String nodeType, String refusal) {
        boolean plain() {
            return refusal == null;
        }
    }

    private PlanCheck() {
    }

    static Result check(String explainXml, String wantedScan) {
        Element top;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            var builder = f.newDocumentBuilder();
            builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // errors throw; nothing printed
            Element root = builder.parse(new InputSource(new StringReader(explainXml))).getDocumentElement();
            top = child(child(root, "Query").orElse(null), "Plan").orElse(null);
        } catch (Exception e) {
            return refused("EXPLAIN output could not be read: " + e.getMessage());
        }
        return inspect(top, wantedScan);
    }

    private static Result inspect(Element plan, String wantedScan) {
        if (plan == null) {
            return refused("EXPLAIN returned no plan");
        }
        String type = text(plan, "Node-Type");
        List<Element> children = plans(plan);
        if (!type.equals(wantedScan) && !(type.equals("Gather") && children.size() == 1)) {
            return refused("the plan is a " + type + ", not a single " + wantedScan);
        }
        String condition = condition(plan);
        if (condition != null) {
            return refused("the plan's " + type + " has a " + condition);
        }
        if (type.equals("Gather")) {
            return inspect(children.get(0), wantedScan);
        }
        if (!children.isEmpty()) {
            return refused("the " + type + " has subplans");
        }
        String schema = text(plan, "Schema");
        String relation = text(plan, "Relation-Name");
        if (schema.isEmpty() || relation.isEmpty()) {
            return refused("the plan names no relation");
        }
        return new Result(schema, relation, type, null);
    }

    /** The first filter or condition element of a node (Filter, One-Time-Filter, TID-Cond, ...), or null. */
    private static String condition(Element plan) {
        for (Node n = plan.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                String name = e.getTagName();
                if (name.endsWith("Filter") || name.endsWith("Cond") || name.equals("Subplans-Removed")
                        || name.equals("Sampling-Method")) {
                    if (name.equals("TID-Cond")) {
                        continue; // the readers' own ctid range: checked by the caller of this method
                    }
                    return name.replace('-', ' ');
                }
            }
        }
        return null;
    }

    private static List<Element> plans(Element plan) {
        List<Element> out = new ArrayList<>();
        child(plan, "Plans").ifPresent(ps -> {
            for (Node n = ps.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals("Plan")) {
                    out.add(e);
                }
            }
        });
        return out;
    }

    private static Optional<Element> child(Element parent, String name) {
        if (parent == null) {
            return Optional.empty();
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private static String text(Element parent, String name) {
        return child(parent, name).map(e -> e.getTextContent().strip()).orElse("");
    }

    private static Result refused(String why) {
        return new Result(null, null, null, why);
    }
}
