package io.pillarbox.itest;

import org.ops4j.pax.exam.Option;

import java.util.List;

import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

/**
 * Angus Mail, the real mail client the tests use. Kept out of {@link PillarboxTestSupport}: Pax Exam loads every
 * public method signature of a test class, and classes without the mail bundles must not see Jakarta Mail types.
 */
public final class MailClients {

    static final String HOST = PillarboxTestSupport.HOST;

    private MailClients() {
    }

    /**
     * Angus Mail (Jakarta Mail 2) inside the container, for tests that talk IMAP, POP3 and SMTP with a real client.
     * Use {@link #withMailClient} around every call into it.
     */
    public static List<Option> mailClientOptions() {
        return List.of(
                mavenBundle("jakarta.activation", "jakarta.activation-api", "2.1.3"),
                mavenBundle("org.eclipse.angus", "angus-activation", "2.0.2"),
                mavenBundle("jakarta.mail", "jakarta.mail-api", "2.1.3"),
                mavenBundle("org.eclipse.angus", "angus-mail", System.getProperty("angus.mail.version", "2.0.4")));
    }

    /**
     * Runs mail-client code with Angus Mail's class loader as context class loader: Jakarta Mail finds its
     * providers through it (there is no OSGi service loader mediator in the distribution).
     */
    public static <T> T withMailClient(java.util.concurrent.Callable<T> work) throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader old = t.getContextClassLoader();
        ClassLoader angus = loader();
        t.setContextClassLoader(angus);
        try {
            installMailcap(angus);
            return work.call();
        } finally {
            t.setContextClassLoader(old);
        }
    }

    private static boolean mailcapInstalled;
    private static ClassLoader loader;

    /**
     * A class loader that sees Angus Mail's and Angus Activation's service files: Jakarta Mail and Jakarta
     * Activation look up their providers through the context class loader.
     */
    private static synchronized ClassLoader loader() {
        if (loader == null) {
            ClassLoader mail = org.eclipse.angus.mail.imap.IMAPStore.class.getClassLoader();
            ClassLoader activation = org.eclipse.angus.activation.MailcapRegistryProviderImpl.class.getClassLoader();
            loader = new ClassLoader(mail) {
                @Override
                protected Class<?> findClass(String name) throws ClassNotFoundException {
                    return activation.loadClass(name);
                }

                @Override
                protected java.net.URL findResource(String name) {
                    return activation.getResource(name);
                }

                @Override
                protected java.util.Enumeration<java.net.URL> findResources(String name) throws java.io.IOException {
                    return activation.getResources(name);
                }
            };
        }
        return loader;
    }

    /**
     * Jakarta Activation finds the content handlers for multipart and text through Angus Mail's META-INF/mailcap;
     * without a service-loader mediator in OSGi it does not find that file by itself, so it is installed here.
     */
    private static synchronized void installMailcap(ClassLoader angus) throws java.io.IOException {
        if (mailcapInstalled) {
            return;
        }
        try (java.io.InputStream in = angus.getResourceAsStream("META-INF/mailcap")) {
            if (in == null) {
                throw new IllegalStateException("Angus Mail's META-INF/mailcap not found");
            }
            jakarta.activation.CommandMap.setDefaultCommandMap(new jakarta.activation.MailcapCommandMap(in));
        }
        mailcapInstalled = true;
    }

    /** A Jakarta Mail session for 127.0.0.1 that trusts the server's self-signed certificate. */
    public static jakarta.mail.Session mailSession(java.util.Properties extra) throws Exception {
        return withMailClient(() -> {
            java.util.Properties p = new java.util.Properties();
            for (String proto : new String[]{"imap", "imaps", "pop3", "pop3s", "smtp", "smtps"}) {
                p.put("mail." + proto + ".host", HOST);
                p.put("mail." + proto + ".ssl.trust", "*");
                p.put("mail." + proto + ".ssl.checkserveridentity", "false");
                p.put("mail." + proto + ".connectiontimeout", "10000");
                p.put("mail." + proto + ".timeout", "20000");
            }
            p.putAll(extra);
            return jakarta.mail.Session.getInstance(p);
        });
    }

}
