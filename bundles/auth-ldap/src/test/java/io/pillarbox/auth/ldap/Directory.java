package io.pillarbox.auth.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.SelfSignedCertificateGenerator;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.ObjectPair;
import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;

import java.io.File;
import java.net.InetAddress;
import java.util.List;

/** UnboundID's in-memory directory on 127.0.0.1 with a few users; plain+StartTLS and LDAPS listeners. */
final class Directory implements AutoCloseable {

    final InMemoryDirectoryServer server;

    Directory() throws Exception {
        InMemoryDirectoryServerConfig cfg = new InMemoryDirectoryServerConfig("dc=example,dc=org");
        cfg.addAdditionalBindCredentials("cn=admin,dc=example,dc=org", "Admin-Pass-1");
        cfg.setSchema(null); // allow posixAccount attributes such as homeDirectory without loading that schema
        ObjectPair<File, char[]> cert = SelfSignedCertificateGenerator.generateTemporarySelfSignedCertificate(
                "pillarbox-test", "PKCS12");
        SSLUtil serverSsl = new SSLUtil(new KeyStoreKeyManager(cert.getFirst(), cert.getSecond(), "PKCS12", null),
                new TrustAllTrustManager());
        SSLUtil clientSsl = new SSLUtil(new TrustAllTrustManager());
        InetAddress lo = InetAddress.getLoopbackAddress();
        cfg.setListenerConfigs(
                InMemoryListenerConfig.createLDAPConfig("ldap", lo, 0, serverSsl.createSSLSocketFactory()),
                InMemoryListenerConfig.createLDAPConfig("nostarttls", lo, 0, null),
                InMemoryListenerConfig.createLDAPSConfig("ldaps", lo, 0, serverSsl.createSSLServerSocketFactory(),
                        clientSsl.createSSLSocketFactory()));
        server = new InMemoryDirectoryServer(cfg);
        server.add("dn: dc=example,dc=org", "objectClass: top", "objectClass: domain", "dc: example");
        server.add("dn: ou=people,dc=example,dc=org", "objectClass: top", "objectClass: organizationalUnit",
                "ou: people");
        person("contract-user", "Contract-Pass-4711", "contract-user@example.org", null);
        person("blocked", "Blocked-Pass-0815", "blocked@example.org", "disabled");
        person("alice", "Alice-Pass-1", "alice@example.org", null);
        person("twin1", "Twin-Pass", "twin@example.org", null);
        person("twin2", "Twin-Pass", "twin@example.org", null);
        server.startListening();
    }

    void person(String uid, String password, String mail, String description) throws Exception {
        List<String> ldif = new java.util.ArrayList<>(List.of("dn: uid=" + uid + ",ou=people,dc=example,dc=org",
                "objectClass: top", "objectClass: person", "objectClass: organizationalPerson",
                "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid, "sn: " + uid, "mail: " + mail,
                "userPassword: " + password, "homeDirectory: /var/mail/" + uid));
        if (description != null) {
            ldif.add("description: " + description);
        }
        server.add(ldif.toArray(String[]::new));
    }

    String url() {
        return "ldap://127.0.0.1:" + server.getListenPort("ldap");
    }

    String noStartTlsUrl() {
        return "ldap://127.0.0.1:" + server.getListenPort("nostarttls");
    }

    String ldapsUrl() {
        return "ldaps://127.0.0.1:" + server.getListenPort("ldaps");
    }

    static LdapRealm.Settings settings(List<String> urls, boolean startTls, String filter) {
        return new LdapRealm.Settings(urls, startTls, "", "", true, "cn=admin,dc=example,dc=org", "Admin-Pass-1",
                "ou=people,dc=example,dc=org", filter, SearchScope.SUB, "(description=disabled)", "mail",
                "homeDirectory", "", 4, 2000, 3000, "ldap");
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
