package io.extensa.bench;

import java.util.ArrayList;
import java.util.List;

/** A Markdown document built section by section; suites append to it, the harness prints and saves it. */
public final class Report {

    private final StringBuilder markdown = new StringBuilder();

    public Report heading(int level, String text) {
        separate();
        markdown.append("#".repeat(level)).append(' ').append(text).append("\n\n");
        return this;
    }

    public Report paragraph(String text) {
        separate();
        markdown.append(text.strip()).append("\n\n");
        return this;
    }

    public Report bullets(List<String> items) {
        separate();
        for (String item : items) {
            markdown.append("- ").append(item.strip().replace("\n", "\n  ")).append('\n');
        }
        markdown.append('\n');
        return this;
    }

    public Report code(String language, String text) {
        separate();
        markdown.append("```").append(language).append('\n').append(text.strip()).append("\n```\n\n");
        return this;
    }

    public Report table(Table table) {
        separate();
        markdown.append(table.render()).append('\n');
        return this;
    }

    /** Appends another report's text as it is (a suite's section). */
    public Report append(Report other) {
        separate();
        markdown.append(other.markdown());
        return this;
    }

    public String markdown() {
        return markdown.toString().stripTrailing() + "\n";
    }

    private void separate() {
        int length = markdown.length();
        if (length > 0 && markdown.charAt(length - 1) != '\n') {
            markdown.append("\n\n");
        } else if (length > 1 && markdown.charAt(length - 2) != '\n') {
            markdown.append('\n');
        }
    }

    /** A Markdown table; cells are escaped so a '|' in a value cannot break the layout. */
    public static final class Table {
        private final List<String> header;
        private final List<List<String>> rows = new ArrayList<>();
        private final boolean[] numeric;

        public Table(String... header) {
            this.header = List.of(header);
            this.numeric = new boolean[header.length];
        }

        /** Right-aligns the named columns (numbers). */
        public Table rightAligned(int... columns) {
            for (int column : columns) {
                numeric[column] = true;
            }
            return this;
        }

        public Table row(Object... cells) {
            if (cells.length != header.size()) {
                throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
            }
            List<String> row = new ArrayList<>();
            for (Object cell : cells) {
                row.add(cell == null ? "" : cell.toString());
            }
            rows.add(row);
            return this;
        }

        public int rowCount() {
            return rows.size();
        }

        String render() {
            StringBuilder out = new StringBuilder();
            line(out, header);
            out.append('|');
            for (int i = 0; i < header.size(); i++) {
                out.append(numeric[i] ? "---:|" : "---|");
            }
            out.append('\n');
            for (List<String> row : rows) {
                line(out, row);
            }
            return out.toString();
        }

        private static void line(StringBuilder out, List<String> cells) {
            out.append('|');
            for (String cell : cells) {
                out.append(' ').append(cell.replace("|", "\\|").replace("\n", " ")).append(" |");
            }
            out.append('\n');
        }
    }
}
