package io.pillarbox.shell;

import org.apache.karaf.shell.support.table.ShellTable;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A table as Karaf's commands print them, and for {@code --no-format} one line per row with the cells separated by
 * single tabs, without a header or padding, so that scripts can {@code cut -f} or {@code split("\t")} them.
 */
final class Table {

    private final ShellTable table = new ShellTable();
    private final List<Object[]> rows = new ArrayList<>();

    Table(String emptyText) {
        if (emptyText != null) {
            table.emptyTableText(emptyText);
        }
    }

    Table noHeaders() {
        table.noHeaders();
        return this;
    }

    Table column(String name) {
        table.column(name);
        return this;
    }

    Table right(String name) {
        table.column(name).alignRight();
        return this;
    }

    Table row(Object... cells) {
        rows.add(cells);
        table.addRow().addContent(cells);
        return this;
    }

    int size() {
        return rows.size();
    }

    void print(PrintStream out, boolean noFormat) {
        if (!noFormat) {
            table.print(out, true);
            return;
        }
        for (Object[] r : rows) {
            out.println(line(r));
        }
    }

    static String line(Object[] cells) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                b.append('\t');
            }
            b.append(cells[i] == null ? "" : cells[i].toString().replace('\t', ' ').replace('\n', ' ')
                    .replace('\r', ' '));
        }
        return b.toString();
    }
}
