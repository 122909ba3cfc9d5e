package io.pillarbox.auth.ldap;

import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import com.unboundid.util.ssl.TrustStoreTrustManager;
import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.MailPrincipal;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * Bind authentication against an LDAP directory: search the user's entry (as the configured search DN, or
 * anonymously) with the configured filter, then bind as that entry with the password on a separate pool. Empty
 * passwords are refused before any bind (an LDAP bind with an empty password is an anonymous bind and would
 * succeed). Connections are pooled; the pools are made on first use, so the realm starts while the directory is
 * down and answers {@code TEMPORARY_FAILURE} until it is reachable.
 * <p>
 * Needs a configuration ({@code io.pillarbox.auth.ldap}): without one the component does not start.
 */
@Component(service = AuthRealm.class, configurationPid = "io.pillarbox.auth.ldap",
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = {AuthRealm.PROPERTY_NAME + "=ldap"})
@Designate(ocd = LdapRealmConfig.class)
public class LdapRealm implements AuthRealm {

    private static final Logger LOG = LoggerFactory.getLogger(LdapRealm.class);

    /** Settings as plain values. */
    record Settings(List<String> urls, boolean startTls, String trustStore, String trustStorePassword,
                    boolean trustAll, String bindDn, String bindPassword, String baseDn, String userFilter,
                    SearchScope scope, String disabledFilter, String userNameAttribute, String mailLocationAttribute,
                    String storeAttribute, int maxConnections, int connectTimeoutMillis, int responseTimeoutMillis,
                    String name) {
        @Override
        public String toString() {
            return "Settings[" + name + ", " + urls + ", base " + baseDn + ", filter " + userFilter + "]";
        }
    }

    private volatile Settings settings;
    private LDAPConnectionPool searchPool;
    private LDAPConnectionPool bindPool;
    private final Object lock = new Object();

    public LdapRealm() {
    }

    /** For tests and embedding without OSGi. */
    LdapRealm(Settings s) {
        settings = s;
    }

    @Activate
    @Modified
    void activate(LdapRealmConfig c) {
        String scope = c.scope() == null ? "sub" : c.scope().trim().toLowerCase(Locale.ROOT);
        Settings s = new Settings(List.of(c.urls()), c.startTls(), blank(c.trustStore()),
                c._trustStorePassword() == null ? "" : c._trustStorePassword(), c.trustAll(), blank(c.bindDn()),
                c._bindPassword() == null ? "" : c._bindPassword(), c.baseDn(), c.userFilter(),
                scope.equals("one") ? SearchScope.ONE : scope.equals("base") ? SearchScope.BASE : SearchScope.SUB,
                blank(c.disabledFilter()), blank(c.userNameAttribute()), blank(c.mailLocationAttribute()),
                blank(c.storeAttribute()), Math.max(1, c.maxConnections()), Math.max(100, c.connectTimeoutMillis()),
                Math.max(100, c.responseTimeoutMillis()), c.pillarbox_realm() == null || c.pillarbox_realm().isBlank()
                ? "ldap" : c.pillarbox_realm().trim());
        synchronized (lock) {
            closePools();
            settings = s;
        }
        LOG.info("LDAP realm {} configured: {}", s.name(), s);
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            closePools();
        }
    }

    private void closePools() {
        if (searchPool != null) {
            searchPool.close();
            searchPool = null;
        }
        if (bindPool != null) {
            bindPool.close();
            bindPool = null;
        }
    }

    private static String blank(String s) {
        return s == null ? "" : s.trim();
    }

    // ---- pools ----------------------------------------------------------------------------------------------------

    private LDAPConnectionPool[] pools() throws LDAPException, GeneralSecurityException {
        synchronized (lock) {
            if (searchPool == null || searchPool.isClosed()) {
                Settings s = settings;
                LDAPConnectionOptions opts = new LDAPConnectionOptions();
                opts.setConnectTimeoutMillis(s.connectTimeoutMillis());
                opts.setResponseTimeoutMillis(s.responseTimeoutMillis());
                opts.setUseSynchronousMode(false);
                if (!s.trustAll()) {
                    opts.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
                }
                TrustManager tm = s.trustAll() ? new TrustAllTrustManager()
                        : !s.trustStore().isEmpty() ? new TrustStoreTrustManager(s.trustStore(),
                        s.trustStorePassword().isEmpty() ? null : s.trustStorePassword().toCharArray(), null, true)
                        : JVMDefaultTrustManager.getInstance();
                SSLUtil ssl = new SSLUtil(tm);
                List<String> hosts = new ArrayList<>();
                List<Integer> ports = new ArrayList<>();
                boolean ldaps = false;
                for (String u : s.urls()) {
                    LDAPURL url = new LDAPURL(u.trim());
                    hosts.add(url.getHost());
                    ports.add(url.getPort());
                    ldaps |= url.getScheme().equalsIgnoreCase("ldaps");
                }
                SocketFactory sf = ldaps ? ssl.createSSLSocketFactory() : SocketFactory.getDefault();
                PostConnectProcessor startTls = null;
                if (s.startTls() && !ldaps) {
                    SSLContext ctx = ssl.createSSLContext();
                    startTls = new StartTLSPostConnectProcessor(ctx);
                }
                FailoverServerSet servers = new FailoverServerSet(hosts.toArray(String[]::new),
                        ports.stream().mapToInt(Integer::intValue).toArray(), sf, opts);
                SimpleBindRequest searchBind = s.bindDn().isEmpty() ? null
                        : new SimpleBindRequest(s.bindDn(), s.bindPassword());
                searchPool = new LDAPConnectionPool(servers, searchBind, 0, s.maxConnections(), startTls, false);
                bindPool = new LDAPConnectionPool(servers, null, 0, s.maxConnections(), startTls, false);
                searchPool.setConnectionPoolName("pillarbox-" + s.name() + "-search");
                bindPool.setConnectionPoolName("pillarbox-" + s.name() + "-bind");
                searchPool.setMaxWaitTimeMillis(s.responseTimeoutMillis());
                bindPool.setMaxWaitTimeMillis(s.responseTimeoutMillis());
                // A directory restart leaves pooled connections dead: retry once on a fresh connection.
                searchPool.setRetryFailedOperationsDueToInvalidConnections(true);
                bindPool.setRetryFailedOperationsDueToInvalidConnections(true);
            }
            return new LDAPConnectionPool[] {searchPool, bindPool};
        }
    }

    // ---- AuthRealm ------------------------------------------------------------------------------------------------

    @Override
    public String name() {
        return settings.name();
    }

    /** The user's entry, or null; throws when the directory cannot be asked. */
    private SearchResultEntry find(String user) throws LDAPException, GeneralSecurityException {
        Settings s = settings;
        int at = user.lastIndexOf('@');
        String local = at < 0 ? user : user.substring(0, at);
        String domain = at < 0 ? "" : user.substring(at + 1);
        String filter = expand(s.userFilter(), user, local, domain);
        List<String> attrs = new ArrayList<>(List.of("1.1"));
        for (String a : List.of(s.userNameAttribute(), s.mailLocationAttribute(), s.storeAttribute())) {
            if (!a.isEmpty()) {
                attrs.add(a);
            }
        }
        if (!s.disabledFilter().isEmpty()) {
            attrs.add("*");
            attrs.add("+");
        }
        SearchResult r;
        try {
            Filter f = Filter.create(filter);
            String[] wanted = attrs.toArray(String[]::new);
            r = retryOnDeadConnection(() -> pools()[0].search(s.baseDn(), s.scope(), DereferencePolicy.NEVER, 2, 0,
                    false, f, wanted));
        } catch (com.unboundid.ldap.sdk.LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return null;
            }
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                throw new LDAPException(ResultCode.SIZE_LIMIT_EXCEEDED, "more than one entry matches the user");
            }
            throw e;
        }
        List<SearchResultEntry> entries = r.getSearchEntries();
        if (entries.size() > 1) {
            throw new LDAPException(ResultCode.SIZE_LIMIT_EXCEEDED, "more than one entry matches the user");
        }
        return entries.isEmpty() ? null : entries.get(0);
    }

    private interface LdapCall<T> {
        T call() throws LDAPException, GeneralSecurityException;
    }

    /**
     * Runs an operation, and once more if it failed because its connection was dead (the directory restarted or
     * dropped idle connections): the pools are then made anew, so the retry gets fresh connections however many
     * pooled ones died.
     */
    private <T> T retryOnDeadConnection(LdapCall<T> op) throws LDAPException, GeneralSecurityException {
        try {
            return op.call();
        } catch (LDAPException e) {
            if (e.getResultCode().isConnectionUsable()) {
                throw e;
            }
            synchronized (lock) {
                closePools();
            }
            return op.call();
        }
    }

    /** Replaces %u, %n, %d (escaped per RFC 4515) and %% in one pass, so a value cannot inject another. */
    static String expand(String template, String user, String local, String domain) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '%' && i + 1 < template.length()) {
                char k = template.charAt(i + 1);
                String v = switch (k) {
                    case 'u' -> Filter.encodeValue(user);
                    case 'n' -> Filter.encodeValue(local);
                    case 'd' -> Filter.encodeValue(domain);
                    case '%' -> "%";
                    default -> null;
                };
                if (v != null) {
                    sb.append(v);
                    i++;
                    continue;
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private boolean disabled(SearchResultEntry e) throws LDAPException {
        String f = settings.disabledFilter();
        return !f.isEmpty() && Filter.create(f).matchesEntry(e);
    }

    private MailPrincipal principal(String user, SearchResultEntry e) {
        Settings s = settings;
        String name = user;
        if (!s.userNameAttribute().isEmpty() && e.getAttributeValue(s.userNameAttribute()) != null) {
            name = e.getAttributeValue(s.userNameAttribute());
        }
        int at = name.lastIndexOf('@');
        Map<String, String> attrs = new HashMap<>();
        attrs.put("dn", e.getDN());
        String location = s.mailLocationAttribute().isEmpty() ? null : e.getAttributeValue(s.mailLocationAttribute());
        String store = s.storeAttribute().isEmpty() ? null : e.getAttributeValue(s.storeAttribute());
        return new MailPrincipal(name, at < 0 ? name : name.substring(0, at), at < 0 ? null : name.substring(at + 1),
                s.name(), location, store, attrs);
    }

    @Override
    public AuthResult authenticate(String user, char[] secret, AuthContext context) {
        if (user == null || user.isEmpty()) {
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
        }
        SearchResultEntry entry;
        try {
            entry = find(user);
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "ambiguous user name");
            }
            LOG.warn("LDAP realm {}: search failed: {}", settings.name(), e.getResultCode());
            return AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "directory unavailable");
        } catch (GeneralSecurityException e) {
            LOG.warn("LDAP realm {}: TLS set-up failed: {}", settings.name(), e.getClass().getName());
            return AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "directory TLS set-up failed");
        }
        if (entry == null) {
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
        }
        if (secret == null || secret.length == 0) {
            return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "empty password");
        }
        byte[] pw = utf8(secret);
        try {
            String dn = entry.getDN();
            BindResult r = retryOnDeadConnection(() -> pools()[1].bind(new SimpleBindRequest(dn, pw)));
            if (r.getResultCode() != ResultCode.SUCCESS) {
                return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "bind " + r.getResultCode().getName());
            }
        } catch (LDAPException e) {
            ResultCode rc = e.getResultCode();
            if (rc == ResultCode.INVALID_CREDENTIALS) {
                return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "wrong password");
            }
            if (rc.isConnectionUsable()) {
                // e.g. unwilling to perform / constraint violation: a password policy refuses this account
                return AuthResult.failure(AuthResult.Status.DISABLED, "bind refused: " + rc.getName());
            }
            LOG.warn("LDAP realm {}: bind failed: {}", settings.name(), rc);
            return AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "directory unavailable");
        } catch (GeneralSecurityException e) {
            return AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "directory TLS set-up failed");
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
        try {
            if (disabled(entry)) {
                return AuthResult.failure(AuthResult.Status.DISABLED, "account disabled");
            }
        } catch (LDAPException e) {
            LOG.warn("LDAP realm {}: bad disabledFilter: {}", settings.name(), e.getMessage());
            return AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "bad disabledFilter");
        }
        return AuthResult.ok(principal(user, entry));
    }

    @Override
    public Optional<MailPrincipal> lookup(String user) {
        if (user == null || user.isEmpty()) {
            return Optional.empty();
        }
        try {
            SearchResultEntry e = find(user);
            return e == null || disabled(e) ? Optional.empty() : Optional.of(principal(user, e));
        } catch (LDAPException | GeneralSecurityException e) {
            LOG.warn("LDAP realm {}: lookup failed: {}", settings.name(), e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    private static byte[] utf8(char[] secret) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(secret));
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        if (bb.hasArray()) {
            Arrays.fill(bb.array(), (byte) 0);
        }
        return out;
    }

    @Override
    public String toString() {
        Settings s = settings;
        return "LdapRealm[" + (s == null ? "-" : s.toString()) + "]";
    }
}
