package io.pillarbox.auth.pam;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.MailPrincipal;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Linux PAM, as the UW IMAP server did: the user must exist as a system user ({@code getpwnam}, so NSS sources such
 * as sssd count too) with a uid of at least {@code minUid} (root and system accounts are not mail users), then
 * {@code pam_authenticate} and {@code pam_acct_mgmt} run against {@code /etc/pam.d/<service>} (default
 * {@code pillarbox}). The user's home directory becomes the mail location (unless {@code homeIsMailLocation} is
 * off; it is an attribute {@code home} either way).
 * <p>
 * PAM's own failure delay is switched off ({@code PAM_FAIL_DELAY}): the authenticator delays failed logins itself,
 * without holding a thread. Calls are serialised by default, as some PAM modules are not thread-safe.
 */
@Component(service = AuthRealm.class, configurationPid = "io.pillarbox.auth.pam",
        property = {AuthRealm.PROPERTY_NAME + "=pam"})
@Designate(ocd = PamRealm.Config.class)
public class PamRealm implements AuthRealm {

    private static final Logger LOG = LoggerFactory.getLogger(PamRealm.class);

    @ObjectClassDefinition(id = "io.pillarbox.auth.pam", name = "Pillarbox PAM realm",
            description = "Log system users in through PAM")
    public @interface Config {
        @AttributeDefinition(description = "PAM service name: /etc/pam.d/<service>")
        String service() default "pillarbox";

        @AttributeDefinition(description = "Lowest uid that may log in (root and system accounts may not)")
        int minUid() default 1000;

        @AttributeDefinition(description = "Run one PAM conversation at a time (some modules are not thread-safe)")
        boolean serialize() default true;

        @AttributeDefinition(description = "The home directory is the user's mail location (the Maildir store "
                + "uses home/Maildir, as Dovecot does); off: the store's own mailLocation template applies, e.g. "
                + "/var/vmail/{user}/Maildir, so mail can live outside the users' homes")
        boolean homeIsMailLocation() default true;

        @AttributeDefinition(name = "service.ranking", description = "Order among realms (highest asked first)")
        int service_ranking() default -20;

        @AttributeDefinition(name = "pillarbox.realm", description = "The realm's name")
        String pillarbox_realm() default "pam";
    }

    /** Loaded on first use, so that the bundle starts (and says why it cannot work) where libpam is missing. */
    private static final class Libs {
        static final Native.LibPam PAM = com.sun.jna.Native.load("pam", Native.LibPam.class);
        static final Native.LibC C = com.sun.jna.Native.load("c", Native.LibC.class);
    }

    private static final Native.FailDelayFunction NO_DELAY = (retval, usec, appdata) -> { };

    private volatile String service = "pillarbox";
    private volatile int minUid = 1000;
    private volatile boolean serialize = true;
    private volatile String name = "pam";
    private volatile boolean homeIsMailLocation = true;
    private final ReentrantLock lock = new ReentrantLock();

    public PamRealm() {
    }

    /** For tests and embedding without OSGi. */
    PamRealm(String service, int minUid) {
        this.service = service;
        this.minUid = minUid;
    }

    /** For tests: whether the home directory is the mail location. */
    PamRealm homeIsMailLocation(boolean on) {
        this.homeIsMailLocation = on;
        return this;
    }

    @Activate
    @Modified
    void activate(Config c) {
        service = c.service() == null || c.service().isBlank() ? "pillarbox" : c.service().trim();
        minUid = c.minUid();
        serialize = c.serialize();
        homeIsMailLocation = c.homeIsMailLocation();
        name = c.pillarbox_realm() == null || c.pillarbox_realm().isBlank() ? "pam" : c.pillarbox_realm().trim();
        LOG.info("PAM realm {} uses /etc/pam.d/{} (uid >= {})", name, service, minUid);
    }

    @Override
    public String name() {
        return name;
    }

    /** A system user's passwd entry, or null. */
    private record SystemUser(String name, int uid, int gid, String gecos, String home) {
    }

    private SystemUser systemUser(String user) {
        if (user == null || user.isEmpty() || user.indexOf('\0') >= 0 || user.length() > 256) {
            return null;
        }
        Pointer p = Libs.C.getpwnam(user);
        if (p == null) {
            return null;
        }
        Native.Passwd pw = new Native.Passwd(p);
        if (pw.pw_uid < minUid) {
            return null;
        }
        return new SystemUser(pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_gecos, pw.pw_dir);
    }

    private MailPrincipal principal(SystemUser u) {
        Map<String, String> attrs = new HashMap<>();
        attrs.put("uid", Integer.toString(u.uid()));
        attrs.put("gid", Integer.toString(u.gid()));
        if (u.gecos() != null && !u.gecos().isEmpty()) {
            attrs.put("gecos", u.gecos());
        }
        String home = u.home() == null || u.home().isEmpty() ? null : u.home();
        if (home != null) {
            attrs.put("home", home);
        }
        return new MailPrincipal(u.name(), u.name(), null, name, homeIsMailLocation ? home : null, null, attrs);
    }

    @Override
    public AuthResult authenticate(String user, char[] secret, AuthContext context) {
        try {
            return serialize ? locked(user, secret, context) : pam(user, secret, context);
        } catch (LinkageError e) {
            LOG.warn("PAM realm {}: libpam cannot be used: {}", name, e.toString());
            return AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "PAM not available");
        }
    }

    private AuthResult locked(String user, char[] secret, AuthContext context) {
        lock.lock();
        try {
            return pam(user, secret, context);
        } finally {
            lock.unlock();
        }
    }

    private AuthResult pam(String user, char[] secret, AuthContext context) {
        SystemUser u = systemUser(user);
        if (u == null) {
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
        }
        if (secret == null || secret.length == 0) {
            return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "empty password");
        }
        byte[] password = utf8(secret);
        Native.PamConv conv = new Native.PamConv();
        conv.conv = (numMsg, msg, resp, appdata) -> converse(numMsg, msg, resp, u.name(), password);
        PointerByReference handle = new PointerByReference();
        int rc = Libs.PAM.pam_start(service, u.name(), conv, handle);
        if (rc != Native.PAM_SUCCESS) {
            Arrays.fill(password, (byte) 0);
            LOG.warn("PAM realm {}: pam_start({}) failed: {}", name, service, rc);
            return AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "pam_start failed");
        }
        Pointer pamh = handle.getValue();
        int last = rc;
        try {
            Libs.PAM.pam_set_item(pamh, Native.PAM_FAIL_DELAY, NO_DELAY);
            if (context != null && context.remote() != null && context.remote().getAddress() != null) {
                Libs.PAM.pam_set_item(pamh, Native.PAM_RHOST, context.remote().getAddress().getHostAddress());
            }
            last = Libs.PAM.pam_authenticate(pamh, Native.PAM_SILENT | Native.PAM_DISALLOW_NULL_AUTHTOK);
            switch (last) {
                case Native.PAM_SUCCESS:
                    break;
                case Native.PAM_USER_UNKNOWN:
                    return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
                case Native.PAM_AUTHINFO_UNAVAIL:
                    return AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "PAM authentication unavailable");
                default:
                    // Every other answer counts as a failed login, so it counts towards brute-force defence.
                    return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "pam_authenticate: " + last);
            }
            last = Libs.PAM.pam_acct_mgmt(pamh, Native.PAM_SILENT | Native.PAM_DISALLOW_NULL_AUTHTOK);
            switch (last) {
                case Native.PAM_SUCCESS:
                    return AuthResult.ok(principal(u));
                case Native.PAM_USER_UNKNOWN:
                    return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
                case Native.PAM_NEW_AUTHTOK_REQD:
                    return AuthResult.failure(AuthResult.Status.DISABLED, "password expired");
                default:
                    return AuthResult.failure(AuthResult.Status.DISABLED, "pam_acct_mgmt: " + last);
            }
        } finally {
            Libs.PAM.pam_end(pamh, last);
            Arrays.fill(password, (byte) 0);
            // Keep the callback reachable until PAM is done with it.
            conv.conv = null;
        }
    }

    /** Answers PAM's prompts: the password for hidden prompts, the user name for visible ones. */
    private static int converse(int numMsg, Pointer msg, Pointer resp, String user, byte[] password) {
        if (numMsg <= 0 || numMsg > 32) {
            return Native.PAM_CONV_ERR;
        }
        int ptr = com.sun.jna.Native.POINTER_SIZE;
        // struct pam_response { char *resp; int resp_retcode; }: freed by PAM, so allocated with calloc
        Pointer replies = Libs.C.calloc(numMsg, 2L * ptr);
        if (replies == null) {
            return Native.PAM_BUF_ERR;
        }
        Pointer[] messages = msg.getPointerArray(0, numMsg);
        for (int i = 0; i < numMsg; i++) {
            int style = messages[i].getInt(0);
            byte[] answer = style == Native.PAM_PROMPT_ECHO_OFF ? password
                    : style == Native.PAM_PROMPT_ECHO_ON ? user.getBytes(StandardCharsets.UTF_8) : null;
            if (answer != null) {
                Pointer s = Libs.C.calloc(answer.length + 1L, 1);
                if (s == null) {
                    return Native.PAM_BUF_ERR;
                }
                s.write(0, answer, 0, answer.length);
                replies.setPointer((long) i * 2 * ptr, s);
            }
        }
        resp.setPointer(0, replies);
        return Native.PAM_SUCCESS;
    }

    @Override
    public Optional<MailPrincipal> lookup(String user) {
        try {
            SystemUser u = serialize ? lockedLookup(user) : systemUser(user);
            return u == null ? Optional.empty() : Optional.of(principal(u));
        } catch (LinkageError e) {
            return Optional.empty();
        }
    }

    private SystemUser lockedLookup(String user) {
        lock.lock();
        try {
            return systemUser(user);
        } finally {
            lock.unlock();
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
        return "PamRealm[" + name + " -> /etc/pam.d/" + service + "]";
    }
}
