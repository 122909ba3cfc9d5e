package io.pillarbox.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Edits the delivery bundle's aliases file ({@code etc/pillarbox.aliases}: {@code alias@domain: target1, target2},
 * catch-alls {@code @domain: target}, {@code #} comments, continuation lines starting with white space) line by
 * line, keeping comments and the order of everything it does not touch. Names compare case-insensitively, as the
 * delivery bundle reads them. Writes go to a temporary file moved over the old one, so that the delivery bundle
 * (which re-reads the file when it changes) never sees half a file.
 */
final class AliasFile {

    /** One alias as it stands in the file: its first line and the number of lines it spans. */
    record Entry(String name, List<String> targets, int line, int lines) {
    }

    private final Path file;
    private final List<String> lines;

    private AliasFile(Path file, List<String> lines) {
        this.file = file;
        this.lines = lines;
    }

    static AliasFile read(Path file) throws IOException {
        List<String> lines = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                : new ArrayList<>();
        return new AliasFile(file, lines);
    }

    Path file() {
        return file;
    }

    /** Every alias in file order (an alias written on several lines is merged as the delivery bundle does). */
    List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            if (raw.isBlank() || raw.stripLeading().startsWith("#") || raw.startsWith(" ") || raw.startsWith("\t")) {
                continue;
            }
            StringBuilder logical = new StringBuilder(raw.strip());
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).isBlank() && (lines.get(j).startsWith(" ")
                    || lines.get(j).startsWith("\t")) && !lines.get(j).stripLeading().startsWith("#")) {
                logical.append(' ').append(lines.get(j).strip());
                j++;
            }
            String l = logical.toString();
            int colon = l.indexOf(':');
            if (colon > 0) {
                out.add(new Entry(l.substring(0, colon).strip(), targets(l.substring(colon + 1)), i, j - i));
            }
            i = j - 1;
        }
        return out;
    }

    /** All targets per alias name (lower case), merged over repeated lines, in file order. */
    Map<String, List<String>> table() {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (Entry e : entries()) {
            map.computeIfAbsent(e.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(e.targets());
        }
        return map;
    }

    /**
     * Adds targets to an alias, creating it if needed; targets it already has are not repeated.
     *
     * @return the alias's targets afterwards
     */
    List<String> add(String name, List<String> targets) {
        List<String> merged = new ArrayList<>(table().getOrDefault(name.toLowerCase(Locale.ROOT), List.of()));
        for (String t : targets) {
            if (merged.stream().noneMatch(m -> m.equalsIgnoreCase(t))) {
                merged.add(t);
            }
        }
        replace(name, merged);
        return merged;
    }

    /**
     * Removes some targets of an alias, or the whole alias when {@code targets} is empty (also when no target would
     * be left).
     *
     * @return whether anything changed
     */
    boolean remove(String name, List<String> targets) {
        List<String> current = table().get(name.toLowerCase(Locale.ROOT));
        if (current == null) {
            return false;
        }
        List<String> left = new ArrayList<>(current);
        if (targets.isEmpty()) {
            left.clear();
        } else {
            left.removeIf(c -> targets.stream().anyMatch(t -> t.equalsIgnoreCase(c)));
            if (left.size() == current.size()) {
                return false;
            }
        }
        replace(name, left);
        return true;
    }

    /** Puts the alias on one line where it first stood (or at the end), removing its other lines. */
    private void replace(String name, List<String> targets) {
        List<Entry> mine = entries().stream().filter(e -> e.name().equalsIgnoreCase(name)).toList();
        int at = mine.isEmpty() ? -1 : mine.get(0).line();
        for (int k = mine.size() - 1; k >= 0; k--) {
            Entry e = mine.get(k);
            for (int n = 0; n < e.lines(); n++) {
                lines.remove(e.line());
            }
        }
        if (targets.isEmpty()) {
            return;
        }
        String line = (mine.isEmpty() ? name : mine.get(0).name()) + ": " + String.join(", ", targets);
        if (at < 0) {
            lines.add(line);
        } else {
            lines.add(at, line);
        }
    }

    void write() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static List<String> targets(String text) {
        List<String> out = new ArrayList<>();
        for (String t : text.split("[,\\s]+")) {
            String s = t.strip();
            if (s.startsWith("<") && s.endsWith(">") && s.length() > 2) {
                s = s.substring(1, s.length() - 1);
            }
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    /** Checks an alias name: {@code local@domain}, a catch-all {@code @domain}, or a bare name. */
    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.endsWith("@") || name.indexOf('@') != name.lastIndexOf('@')
                || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c == ',' || c == '#' || c == 0x7f
                || Character.isSpaceChar(c))) {
            throw new IllegalArgumentException("not an alias name: '" + name
                    + "' (use local@domain, or @domain for a catch-all)");
        }
    }

    /** Checks a target: a user or an address, without separators. */
    static void checkTarget(String target) {
        if (target == null || target.isEmpty() || target.startsWith("@") || target.endsWith("@")
                || target.chars().anyMatch(c -> c <= ' ' || c == ':' || c == ',' || c == '#' || c == 0x7f
                || Character.isSpaceChar(c))) {
            throw new IllegalArgumentException("not a user or address: '" + target + "'");
        }
    }

    /** The domain of an alias name or address, lower case, or null for a bare name. */
    static String domain(String name) {
        int at = name.lastIndexOf('@');
        return at < 0 ? null : name.substring(at + 1).toLowerCase(Locale.ROOT);
    }
}
