package io.pillarbox.queue;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** What a server said it supports in its EHLO reply (nothing after HELO). */
record Ehlo(boolean esmtp, Set<String> keywords, long sizeLimit, Set<String> authMechanisms) {

    static final Ehlo HELO = new Ehlo(false, Set.of(), 0, Set.of());

    static Ehlo parse(Reply r) {
        Set<String> keywords = new HashSet<>();
        Set<String> auth = new HashSet<>();
        long size = 0;
        for (int i = 1; i < r.lines().size(); i++) {
            String l = r.lines().get(i);
            if (l.length() <= 4) {
                continue;
            }
            String[] words = l.substring(4).strip().split("\\s+");
            String k = words[0].toUpperCase(Locale.ROOT);
            keywords.add(k);
            if (k.equals("SIZE") && words.length > 1) {
                try {
                    size = Long.parseLong(words[1]);
                } catch (NumberFormatException e) {
                    size = 0;
                }
            }
            if (k.equals("AUTH") || k.startsWith("AUTH=")) {
                if (k.startsWith("AUTH=")) {
                    auth.add(k.substring(5));
                }
                for (int w = 1; w < words.length; w++) {
                    auth.add(words[w].toUpperCase(Locale.ROOT));
                }
            }
        }
        return new Ehlo(true, Set.copyOf(keywords), size, Set.copyOf(auth));
    }

    boolean has(String keyword) {
        return keywords.contains(keyword);
    }
}
