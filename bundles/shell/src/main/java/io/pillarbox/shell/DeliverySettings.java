package io.pillarbox.shell;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import java.io.IOException;
import java.net.IDN;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The delivery bundle's configuration (PID {@code io.pillarbox.delivery}, the file etc/io.pillarbox.delivery.cfg),
 * read and changed through Configuration Admin: the local domains ({@code localDomains}, comma-separated; the first
 * is the primary one) and where the aliases file is ({@code aliasesFile}). The delivery bundle applies changes at
 * once, and Karaf writes them back to the .cfg file.
 */
final class DeliverySettings {

    static final String PID = "io.pillarbox.delivery";
    static final String DOMAINS = "localDomains";
    static final String ALIASES = "aliasesFile";
    /** What the delivery bundle uses when nothing is configured. */
    static final List<String> DEFAULT_DOMAINS = List.of("localhost");

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private DeliverySettings() {
    }

    /** The configuration if one exists (never creates one). */
    static Configuration existing(ConfigurationAdmin cm) throws Exception {
        Configuration[] c = cm.listConfigurations("(service.pid=" + PID + ")");
        return c == null || c.length == 0 ? null : c[0];
    }

    static List<String> domains(ConfigurationAdmin cm) throws Exception {
        Configuration c = existing(cm);
        Dictionary<String, Object> p = c == null ? null : c.getProperties();
        return p == null || p.get(DOMAINS) == null ? DEFAULT_DOMAINS : Tools.words(p.get(DOMAINS));
    }

    /** Writes the domain list, keeping every other key and the value's type (String stays a comma list). */
    static void setDomains(ConfigurationAdmin cm, List<String> domains) throws IOException, Exception {
        Configuration c = existing(cm);
        if (c == null) {
            c = cm.getConfiguration(PID, "?");
        }
        Dictionary<String, Object> p = c.getProperties();
        if (p == null) {
            p = new Hashtable<>();
        }
        Object old = p.get(DOMAINS);
        p.put(DOMAINS, old instanceof String[] || old instanceof Iterable<?>
                ? domains.toArray(new String[0]) : String.join(", ", domains));
        c.update(p);
    }

    /** The aliases file the delivery bundle reads. */
    static Path aliasesFile(ConfigurationAdmin cm) throws Exception {
        Configuration c = existing(cm);
        Dictionary<String, Object> p = c == null ? null : c.getProperties();
        Object v = p == null ? null : p.get(ALIASES);
        String etc = System.getProperty("karaf.etc", "etc");
        String file = v == null ? "" : v.toString().strip().replace("${karaf.etc}", etc);
        return Path.of(file.isEmpty() ? etc + "/pillarbox.aliases" : file);
    }

    /** A domain name in lower-case ASCII (IDNs converted), or an error saying why not. */
    static String normalize(String domain) {
        String d = domain == null ? "" : domain.strip().toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        try {
            d = IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a domain name: " + domain);
        }
        if (d.isEmpty() || d.length() > 253) {
            throw new IllegalArgumentException("not a domain name: " + domain);
        }
        for (String label : d.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("not a domain name: " + domain);
            }
        }
        return d;
    }
}
