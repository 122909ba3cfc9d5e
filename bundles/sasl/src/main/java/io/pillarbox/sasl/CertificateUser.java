package io.pillarbox.sasl;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Which user a client certificate names, as configured by {@code external.userFrom}. */
enum CertificateUser {

    /** The subject's (most specific) common name. */
    CN,
    /** The first rfc822Name subject alternative name, else the subject's emailAddress attribute. */
    EMAIL,
    /** The whole subject distinguished name in RFC 2253 form. */
    DN;

    private static final String EMAIL_OID = "1.2.840.113549.1.9.1";

    static CertificateUser parse(String configured) {
        String v = configured == null ? "" : configured.trim().toUpperCase(Locale.ROOT);
        if (v.isEmpty()) {
            return CN;
        }
        try {
            return valueOf(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration io.pillarbox.sasl: key 'external.userFrom' must be cn, "
                    + "email or dn, not '" + configured.trim() + "'");
        }
    }

    /** The user name the certificate names, or {@code null} if it has none of the configured kind. */
    String user(X509Certificate cert) {
        X500Principal subject = cert.getSubjectX500Principal();
        return switch (this) {
            case DN -> nonEmpty(subject.getName(X500Principal.RFC2253));
            case CN -> attribute(subject, "CN", Map.of());
            case EMAIL -> {
                String san = rfc822Name(cert);
                yield san != null ? san : attribute(subject, "EMAILADDRESS", Map.of(EMAIL_OID, "EMAILADDRESS"));
            }
        };
    }

    private static String rfc822Name(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return null;
            }
            for (List<?> n : names) {
                if (n.size() >= 2 && Integer.valueOf(1).equals(n.get(0)) && n.get(1) instanceof String s) {
                    String v = nonEmpty(s.trim());
                    if (v != null) {
                        return v;
                    }
                }
            }
            return null;
        } catch (CertificateParsingException e) {
            return null;
        }
    }

    /** The most specific value of an attribute in the subject (the last RDN carrying it). */
    private static String attribute(X500Principal subject, String type, Map<String, String> keywords) {
        try {
            LdapName dn = new LdapName(subject.getName(X500Principal.RFC2253, keywords));
            List<Rdn> rdns = dn.getRdns(); // index 0 is the least specific (rightmost) RDN
            for (int i = rdns.size() - 1; i >= 0; i--) {
                Rdn rdn = rdns.get(i);
                if (rdn.getType().equalsIgnoreCase(type) && rdn.getValue() instanceof String s) {
                    String v = nonEmpty(s.trim());
                    if (v != null) {
                        return v;
                    }
                }
            }
            return null;
        } catch (InvalidNameException e) {
            return null;
        }
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() || Sasl.hasControl(s) ? null : s;
    }
}
