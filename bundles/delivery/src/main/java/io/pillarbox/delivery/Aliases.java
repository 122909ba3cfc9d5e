package io.pillarbox.delivery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An aliases table: {@code alias@domain: target1, target2} and catch-alls {@code @domain: target}. Keys are compared
 * case-insensitively. Lines starting with {@code #} and blank lines are ignored; a line starting with white space
 * continues the previous one (as in /etc/aliases).
 */
public final class Aliases {

    static final Aliases EMPTY = new Aliases(Map.of(), List.of());

    private final Map<String, List<String>> entries;
    private final List<String> problems;

    private Aliases(Map<String, List<String>> entries, List<String> problems) {
        this.entries = entries;
        this.problems = problems;
    }

    /** Targets of an exact alias ({@code local@domain}, or a bare name) or of a catch-all ({@code @domain}). */
    public List<String> get(String key) {
        List<String> t = entries.get(key.toLowerCase(Locale.ROOT));
        return t == null ? List.of() : t;
    }

    public Map<String, List<String>> entries() {
        return entries;
    }

    /** Lines that could not be understood (for the log). */
    public List<String> problems() {
        return problems;
    }

    public static Aliases parse(String text) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> logical = new ArrayList<>();
        for (String raw : text.split("\r?\n", -1)) {
            if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                continue;
            }
            if ((raw.startsWith(" ") || raw.startsWith("\t")) && !logical.isEmpty()) {
                logical.set(logical.size() - 1, logical.get(logical.size() - 1) + " " + raw.strip());
            } else {
                logical.add(raw.strip());
            }
        }
        for (String line : logical) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                problems.add("no ':' in: " + line);
                continue;
            }
            String key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace)) {
                problems.add("bad alias name: " + line);
                continue;
            }
            List<String> targets = new ArrayList<>();
            for (String t : line.substring(colon + 1).split("[,\\s]+")) {
                String s = t.strip();
                if (s.startsWith("<") && s.endsWith(">") && s.length() > 2) {
                    s = s.substring(1, s.length() - 1);
                }
                if (!s.isEmpty()) {
                    targets.add(s);
                }
            }
            if (targets.isEmpty()) {
                problems.add("alias without target: " + line);
                continue;
            }
            map.merge(key, List.copyOf(targets), (a, b) -> {
                List<String> all = new ArrayList<>(a);
                all.addAll(b);
                return List.copyOf(all);
            });
        }
        return new Aliases(Collections.unmodifiableMap(map), List.copyOf(problems));
    }

    /** A file that is re-read when its modification time or size changes (checked at most every 500 ms). */
    static final class Watched {
        private final Path file;
        private volatile Aliases current = EMPTY;
        private volatile FileTime mtime;
        private volatile long size = -1;
        private volatile long checkedAt;
        private final java.util.function.Consumer<Aliases> onLoad;

        Watched(Path file, java.util.function.Consumer<Aliases> onLoad) {
            this.file = file;
            this.onLoad = onLoad;
        }

        Path file() {
            return file;
        }

        Aliases get() {
            long now = System.nanoTime();
            if (now - checkedAt > 500_000_000L || checkedAt == 0) {
                synchronized (this) {
                    if (now - checkedAt > 500_000_000L || checkedAt == 0) {
                        reloadIfChanged();
                        checkedAt = System.nanoTime();
                    }
                }
            }
            return current;
        }

        synchronized void reloadIfChanged() {
            if (file == null) {
                return;
            }
            try {
                FileTime t = Files.getLastModifiedTime(file);
                long s = Files.size(file);
                if (t.equals(mtime) && s == size) {
                    return;
                }
                Aliases a = parse(Files.readString(file, StandardCharsets.UTF_8));
                mtime = t;
                size = s;
                current = a;
                onLoad.accept(a);
            } catch (NoSuchFileException e) {
                if (mtime != null || size != -1) {
                    current = EMPTY;
                    mtime = null;
                    size = -1;
                    onLoad.accept(EMPTY);
                }
            } catch (IOException | RuntimeException e) {
                // keep the last good table
            }
        }
    }
}
