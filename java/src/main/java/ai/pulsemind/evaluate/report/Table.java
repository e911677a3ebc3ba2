package ai.pulsemind.evaluate.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A table of text cells under a caption. Numeric columns are right-aligned; every row has one cell per column.
 *
 * @param numeric per column, whether it holds numbers (right-aligned)
 */
public record Table(String caption, List<String> columns, List<Boolean> numeric, List<List<String>> rows) {
    public Table {
        caption = caption == null ? "" : caption;
        columns = List.copyOf(columns);
        numeric = List.copyOf(numeric);
        if (columns.isEmpty()) throw new IllegalArgumentException("table '" + caption + "' has no columns");
        if (numeric.size() != columns.size())
            throw new IllegalArgumentException("table '" + caption + "': " + numeric.size() + " alignments for " + columns.size() + " columns");
        List<List<String>> copy = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() != columns.size())
                throw new IllegalArgumentException("table '" + caption + "' row " + (r + 1) + " has " + row.size() + " cells, the table has " + columns.size() + " columns " + columns);
            copy.add(row.stream().map(c -> c == null ? "" : c).toList());
        }
        rows = List.copyOf(copy);
    }

    public static Builder builder(String caption) { return new Builder(caption); }

    /** Columns first, then rows. */
    public static final class Builder {
        private final String caption;
        private final List<String> columns = new ArrayList<>();
        private final List<Boolean> numeric = new ArrayList<>();
        private final List<List<String>> rows = new ArrayList<>();

        private Builder(String caption) { this.caption = caption; }

        /** A text column (left-aligned). */
        public Builder column(String name) { columns.add(name); numeric.add(false); return this; }

        /** A numeric column (right-aligned). */
        public Builder numberColumn(String name) { columns.add(name); numeric.add(true); return this; }

        public Builder row(String... cells) { rows.add(List.of(cells)); return this; }

        public Builder row(List<String> cells) { rows.add(new ArrayList<>(cells)); return this; }

        public Table build() { return new Table(caption, columns, numeric, rows); }
    }
}
