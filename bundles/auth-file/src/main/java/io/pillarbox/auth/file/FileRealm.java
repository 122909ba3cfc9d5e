package io.pillarbox.auth.file;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator.CredentialKind;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.ScramCredential;
import io.pillarbox.api.auth.SharedSecret;
import io.pillarbox.api.auth.WritableRealm;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The default realm: users in a Dovecot-compatible passwd-file ({@code etc/pillarbox.users}). Supported schemes:
 * {@code ARGON2ID}, {@code ARGON2I}, {@code BLF-CRYPT}, {@code SHA512-CRYPT}, {@code SHA256-CRYPT}, {@code CRYPT} (with
 * those values), {@code SSHA512}, {@code SSHA256}, {@code SSHA}, {@code SHA512}, {@code SHA256}, {@code SHA},
 * {@code CRAM-MD5}, {@code PLAIN}/{@code CLEARTEXT}, {@code SCRAM-SHA-256}, {@code SCRAM-SHA-1}. New passwords are
 * stored as Argon2id (plus a SCRAM-SHA-256 credential in the extra field {@code pillarbox_scram_sha256} unless
 * configured off).
 * <p>
 * The file is re-read when its modification time, size or inode changes (checked on every access: one
 * {@code stat}). Writes go to a temporary file in the same directory and are renamed over the old one; comments,
 * blank lines and lines not touched are kept verbatim. Accounts with the extra field {@code nologin},
 * {@code deny=yes} or {@code disabled=yes} are disabled. Unknown users are checked against a dummy Argon2id hash so
 * that they take about as long as known ones.
 */
@Component(service = {AuthRealm.class, WritableRealm.class}, configurationPid = "io.pillarbox.auth.file",
        property = {AuthRealm.PROPERTY_NAME + "=file"})
@Designate(ocd = FileRealmConfig.class)
public class FileRealm implements WritableRealm {

    private static final Logger LOG = LoggerFactory.getLogger(FileRealm.class);
    static final String SCRAM_256_FIELD = "pillarbox_scram_sha256";
    static final String SCRAM_1_FIELD = "pillarbox_scram_sha1";
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    /** Settings as plain values. */
    record Settings(Path path, String name, String defaultDomain, boolean caseInsensitive, Hashes.Argon2Cost cost,
                    boolean storeScram, int scramIterations, boolean createIfMissing, boolean upgradeHashes) {

        Settings(Path path, String name, String defaultDomain, boolean caseInsensitive, Hashes.Argon2Cost cost,
                 boolean storeScram, int scramIterations, boolean createIfMissing) {
            this(path, name, defaultDomain, caseInsensitive, cost, storeScram, scramIterations, createIfMissing, false);
        }
    }

    /** What was read from disk, and how to tell whether the disk changed since. */
    private record Snapshot(PasswdFile file, Object fileKey, long mtime, long size, Set<CredentialKind> kinds,
                            Map<String, ScramCredential> derived) {
    }

    private volatile Settings settings;
    private volatile Snapshot snapshot;
    private final Object lock = new Object();
    private final byte[] saltKey = new byte[32];
    private volatile String dummyHash;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public FileRealm() {
        Hashes.RANDOM.nextBytes(saltKey);
    }

    /** For tests and embedding without OSGi. */
    FileRealm(Settings settings) {
        this();
        configure(settings);
    }

    @Activate
    @Modified
    void activate(FileRealmConfig c) {
        configure(new Settings(Path.of(resolve(c.path())), c.pillarbox_realm() == null || c.pillarbox_realm().isBlank()
                ? "file" : c.pillarbox_realm().trim(), c.defaultDomain() == null ? "" : c.defaultDomain().trim(),
                c.caseInsensitive(), new Hashes.Argon2Cost(Math.max(8, c.argon2MemoryKiB()),
                Math.max(1, c.argon2Iterations()), Math.max(1, c.argon2Parallelism())), c.storeScram(),
                Math.max(4096, c.scramIterations()), c.createIfMissing(), c.upgradeHashes()));
    }

    void configure(Settings s) {
        synchronized (lock) {
            Settings old = settings;
            settings = s;
            snapshot = null;
            if (old == null || !old.cost().equals(s.cost())) {
                dummyHash = null;
            }
            if (s.createIfMissing() && !Files.exists(s.path())) {
                try {
                    write(s.path(), List.of("# Pillarbox users, Dovecot passwd-file format:",
                            "# user:{SCHEME}hash:uid:gid:gecos:home:shell:extra_fields"), true);
                    LOG.info("Created empty users file {}", s.path());
                } catch (IOException e) {
                    LOG.warn("Cannot create users file {}: {}", s.path(), e.toString());
                }
            }
        }
        current();
    }

    static String resolve(String path) {
        Matcher m = PROPERTY.matcher(path);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = System.getProperty(m.group(1));
            if (v == null && m.group(1).equals("karaf.etc")) {
                v = "etc";
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    // ---- reading --------------------------------------------------------------------------------------------------

    private Snapshot current() {
        Settings s = settings;
        Snapshot snap = snapshot;
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(s.path(), BasicFileAttributes.class);
        } catch (IOException e) {
            if (snap == null || snap.mtime() != -1) {
                if (!(e instanceof NoSuchFileException)) {
                    LOG.warn("Cannot read users file {}: {}", s.path(), e.toString());
                } else {
                    LOG.warn("Users file {} does not exist: no users", s.path());
                }
                snap = new Snapshot(PasswdFile.empty(), null, -1, -1, kindsOf(PasswdFile.empty()),
                        new ConcurrentHashMap<>());
                snapshot = snap;
            }
            return snap;
        }
        long mtime = attrs.lastModifiedTime().toMillis();
        if (snap != null && snap.mtime() == mtime && snap.size() == attrs.size()
                && Objects.equals(snap.fileKey(), attrs.fileKey())) {
            return snap;
        }
        synchronized (lock) {
            snap = snapshot;
            if (snap != null && snap.mtime() == mtime && snap.size() == attrs.size()
                    && Objects.equals(snap.fileKey(), attrs.fileKey())) {
                return snap;
            }
            try {
                PasswdFile file = PasswdFile.parse(Files.readAllLines(s.path(), StandardCharsets.UTF_8));
                snap = new Snapshot(file, attrs.fileKey(), mtime, attrs.size(), kindsOf(file),
                        new ConcurrentHashMap<>());
                snapshot = snap;
                warned.clear();
                LOG.info("Loaded {} users from {}", file.entries().size(), s.path());
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot read users file {}: {}", s.path(), e.toString());
                if (snap == null) {
                    snap = new Snapshot(PasswdFile.empty(), null, -1, -1, kindsOf(PasswdFile.empty()),
                            new ConcurrentHashMap<>());
                    snapshot = snap;
                }
            }
            return snap;
        }
    }

    /** A kind is declared only if every user with a password can serve it: clients pick the best one offered. */
    private static Set<CredentialKind> kindsOf(PasswdFile file) {
        boolean any = false;
        boolean scram256 = true;
        boolean scram1 = true;
        boolean shared = true;
        for (PasswdFile.Entry e : file.entries()) {
            if (e.password().isEmpty()) {
                continue;
            }
            any = true;
            String scheme = Hashes.parse(e.password()).scheme();
            boolean plain = scheme.equals("PLAIN") || scheme.equals("CLEARTEXT");
            scram256 &= plain || scheme.equals("SCRAM-SHA-256") || e.extra().get(SCRAM_256_FIELD) != null;
            scram1 &= plain || scheme.equals("SCRAM-SHA-1") || e.extra().get(SCRAM_1_FIELD) != null;
            shared &= plain || scheme.equals("CRAM-MD5") || scheme.equals("HMAC-MD5");
        }
        EnumSet<CredentialKind> kinds = EnumSet.of(CredentialKind.PASSWORD);
        if (any && scram256) {
            kinds.add(CredentialKind.SCRAM_SHA_256);
        }
        if (any && scram1) {
            kinds.add(CredentialKind.SCRAM_SHA_1);
        }
        if (any && shared) {
            kinds.add(CredentialKind.SHARED_SECRET);
        }
        return Set.copyOf(kinds);
    }

    /** Finds the entry for a login name, honouring case and the default domain. */
    private PasswdFile.Entry find(Snapshot snap, String user) {
        if (user == null || user.isEmpty()) {
            return null;
        }
        Settings s = settings;
        PasswdFile.Entry e = snap.file().get(user, s.caseInsensitive());
        if (e == null && !s.defaultDomain().isEmpty()) {
            int at = user.lastIndexOf('@');
            if (at > 0 && user.substring(at + 1).equalsIgnoreCase(s.defaultDomain())) {
                e = snap.file().get(user.substring(0, at), s.caseInsensitive());
            } else if (at < 0) {
                e = snap.file().get(user + "@" + s.defaultDomain(), s.caseInsensitive());
            }
        }
        return e;
    }

    private MailPrincipal principal(PasswdFile.Entry e) {
        Settings s = settings;
        String user = e.user();
        int at = user.lastIndexOf('@');
        String local = at < 0 ? user : user.substring(0, at);
        String domain = at < 0 ? (s.defaultDomain().isEmpty() ? null : s.defaultDomain()) : user.substring(at + 1);
        Map<String, String> attrs = new HashMap<>();
        putIfSet(attrs, "uid", e.uid());
        putIfSet(attrs, "gid", e.gid());
        putIfSet(attrs, "gecos", e.gecos());
        putIfSet(attrs, "home", e.home());
        String store = null;
        String mail = null;
        for (Map.Entry<String, String> x : e.extra().entrySet()) {
            String k = x.getKey();
            if (x.getValue() == null || k.startsWith("pillarbox_scram")) {
                continue;
            }
            if (k.equals("userdb_mail") || k.equals("mail")) {
                mail = x.getValue();
            } else if (k.equals("pillarbox_store") || k.equals("userdb_pillarbox_store")) {
                store = x.getValue();
            } else if (k.startsWith("userdb_")) {
                attrs.put(k.substring(7), x.getValue());
            }
        }
        String location = e.home().isEmpty() ? null : e.home();
        if (mail != null) {
            attrs.put("mail", mail);
            location = mailPath(mail, e.home());
        }
        return new MailPrincipal(user, local, domain, s.name(), location, store, attrs);
    }

    /** {@code maildir:~/Maildir:LAYOUT=fs} to {@code <home>/Maildir}. */
    static String mailPath(String mail, String home) {
        String m = mail;
        int colon = m.indexOf(':');
        if (colon > 0 && m.substring(0, colon).matches("[A-Za-z0-9_-]+")) {
            m = m.substring(colon + 1);
        }
        int opts = m.indexOf(':');
        if (opts >= 0) {
            m = m.substring(0, opts);
        }
        if (m.startsWith("~") && !home.isEmpty()) {
            m = home + m.substring(1);
        }
        return m;
    }

    private static void putIfSet(Map<String, String> m, String k, String v) {
        if (v != null && !v.isEmpty()) {
            m.put(k, v);
        }
    }

    private static boolean disabled(PasswdFile.Entry e) {
        Map<String, String> x = e.extra();
        return x.containsKey("nologin") || yes(x.get("deny")) || x.containsKey("deny") && x.get("deny") == null
                || yes(x.get("disabled"));
    }

    private static boolean yes(String v) {
        return v != null && (v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("y") || v.equals("1")
                || v.equalsIgnoreCase("true"));
    }

    // ---- AuthRealm ------------------------------------------------------------------------------------------------

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public AuthResult authenticate(String user, char[] secret, AuthContext context) {
        Snapshot snap = current();
        PasswdFile.Entry e = find(snap, user);
        if (e == null) {
            Hashes.verify(new Hashes.Stored("ARGON2ID", dummy()), secret == null ? new char[0] : secret);
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
        }
        if (secret == null || secret.length == 0 || e.password().isEmpty()) {
            return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "empty password");
        }
        Hashes.Stored stored = Hashes.parse(e.password());
        if (!Hashes.supported(stored.scheme()) && !stored.scheme().equals("CRYPT")) {
            if (warned.add(e.user())) {
                LOG.warn("User {} in {} has a password scheme Pillarbox cannot check: {{}}", e.user(),
                        settings.path(), stored.scheme());
            }
            return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "unsupported password scheme "
                    + stored.scheme());
        }
        if (!Hashes.verify(stored, secret)) {
            return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "wrong password");
        }
        if (disabled(e)) {
            return AuthResult.failure(AuthResult.Status.DISABLED, "account disabled");
        }
        if (settings.upgradeHashes() && needsUpgrade(stored, e)) {
            upgrade(e, secret);
        }
        return AuthResult.ok(principal(e));
    }

    /** Whether a successful login should rewrite the entry: not Argon2id, or no SCRAM credential while wanted. */
    private boolean needsUpgrade(Hashes.Stored stored, PasswdFile.Entry e) {
        return !stored.scheme().equals("ARGON2ID")
                || settings.storeScram() && e.extra().get(SCRAM_256_FIELD) == null;
    }

    /** Stores the password just proven right as Argon2id (+ SCRAM); failures only log, the login goes on. */
    private void upgrade(PasswdFile.Entry e, char[] password) {
        try {
            String hash = "{ARGON2ID}" + Hashes.argon2idHash(password, settings.cost());
            String scram = scramField(password);
            synchronized (lock) {
                PasswdFile file = readFresh();
                PasswdFile.Entry now = file.get(e.user(), false);
                if (now == null || !now.password().equals(e.password())) {
                    return; // changed meanwhile: leave it
                }
                save(file.with(e.user(), now.withPassword(hash).withExtra(SCRAM_256_FIELD, scram)));
            }
            LOG.info("Upgraded the password hash of user {} to Argon2id", e.user());
        } catch (IOException | RuntimeException ex) {
            LOG.warn("Cannot upgrade the password hash of user {}: {}", e.user(), ex.toString());
        }
    }

    private String dummy() {
        String d = dummyHash;
        if (d == null) {
            char[] random = Long.toHexString(Hashes.RANDOM.nextLong()).toCharArray();
            d = Hashes.argon2idHash(random, settings.cost());
            dummyHash = d;
        }
        return d;
    }

    @Override
    public Optional<MailPrincipal> lookup(String user) {
        PasswdFile.Entry e = find(current(), user);
        return e == null || disabled(e) ? Optional.empty() : Optional.of(principal(e));
    }

    @Override
    public Optional<ScramCredential> scramCredential(String user, String algorithm) {
        Snapshot snap = current();
        PasswdFile.Entry e = find(snap, user);
        if (e == null || e.password().isEmpty() || disabled(e)) {
            return Optional.empty();
        }
        Hashes.Stored stored = Hashes.parse(e.password());
        String field = algorithm.equals("SHA-256") ? SCRAM_256_FIELD : algorithm.equals("SHA-1") ? SCRAM_1_FIELD
                : null;
        if (field == null) {
            return Optional.empty();
        }
        if (stored.scheme().equals("SCRAM-" + algorithm)) {
            return Optional.ofNullable(Hashes.parseScram(algorithm, stored.value()));
        }
        String extra = e.extra().get(field);
        if (extra != null) {
            return Optional.ofNullable(Hashes.parseScram(algorithm, extra));
        }
        if (stored.scheme().equals("PLAIN") || stored.scheme().equals("CLEARTEXT")) {
            if (stored.value().isEmpty()) {
                return Optional.empty();
            }
            String key = algorithm + "\0" + e.user();
            return Optional.of(snap.derived().computeIfAbsent(key, k -> ScramCredential.derive(algorithm,
                    stored.value().toCharArray(), stableSalt(k), settings.scramIterations())));
        }
        return Optional.empty();
    }

    private byte[] stableSalt(String key) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(saltKey, "HmacSHA256"));
            byte[] full = m.doFinal(key.getBytes(StandardCharsets.UTF_8));
            byte[] salt = new byte[16];
            System.arraycopy(full, 0, salt, 0, 16);
            return salt;
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public Optional<SharedSecret> sharedSecret(String user) {
        PasswdFile.Entry e = find(current(), user);
        if (e == null || e.password().isEmpty() || disabled(e)) {
            return Optional.empty();
        }
        Hashes.Stored stored = Hashes.parse(e.password());
        switch (stored.scheme()) {
            case "PLAIN", "CLEARTEXT": {
                String pw = stored.value();
                byte[] context = CramMd5.context(pw.getBytes(StandardCharsets.UTF_8));
                return Optional.of(new ContextSecret(context, pw));
            }
            case "CRAM-MD5", "HMAC-MD5": {
                byte[] context = Hashes.cramContext(stored.value());
                return context == null ? Optional.empty() : Optional.of(new ContextSecret(context, null));
            }
            default:
                return Optional.empty();
        }
    }

    /** CRAM-MD5 from the HMAC-MD5 context; the clear text only for {PLAIN} users. */
    private record ContextSecret(byte[] context, String plain) implements SharedSecret {
        @Override
        public byte[] hmacMd5(byte[] challenge) {
            return CramMd5.hmac(context, challenge);
        }

        @Override
        public Optional<char[]> cleartext() {
            return plain == null ? Optional.empty() : Optional.of(plain.toCharArray());
        }

        @Override
        public String toString() {
            return "SharedSecret[***]";
        }
    }

    /** From what was last read, without touching the disk: protocols ask this on network threads. */
    @Override
    public Set<CredentialKind> credentialKinds() {
        Snapshot s = snapshot;
        return s != null ? s.kinds() : Set.of(CredentialKind.PASSWORD);
    }

    // ---- WritableRealm --------------------------------------------------------------------------------------------

    @Override
    public List<String> users() {
        List<String> names = new ArrayList<>();
        for (PasswdFile.Entry e : current().file().entries()) {
            names.add(e.user());
        }
        names.sort(null);
        return names;
    }

    /**
     * @throws IllegalArgumentException if the name is not acceptable ({@code :}, white space or control characters),
     *                                  the password is empty, or the user exists
     */
    @Override
    public void addUser(String user, char[] password) throws IOException {
        checkName(user);
        checkPassword(password);
        String hash = "{ARGON2ID}" + Hashes.argon2idHash(password, settings.cost());
        String scram = scramField(password);
        synchronized (lock) {
            PasswdFile file = readFresh();
            if (file.get(user, settings.caseInsensitive()) != null) {
                throw new IllegalArgumentException("user exists: " + user);
            }
            PasswdFile.Entry e = new PasswdFile.Entry(user, hash, "", "", "", "", "", new java.util.LinkedHashMap<>());
            if (scram != null) {
                e = e.withExtra(SCRAM_256_FIELD, scram);
            }
            save(file.with(user, e));
        }
        LOG.info("Added user {} to {}", user, settings.path());
    }

    /** @throws IllegalArgumentException if the user does not exist or the password is empty */
    @Override
    public void setPassword(String user, char[] password) throws IOException {
        checkPassword(password);
        String hash = "{ARGON2ID}" + Hashes.argon2idHash(password, settings.cost());
        String scram = scramField(password);
        synchronized (lock) {
            PasswdFile file = readFresh();
            PasswdFile.Entry e = file.get(user, settings.caseInsensitive());
            if (e == null) {
                throw new IllegalArgumentException("no such user: " + user);
            }
            PasswdFile.Entry changed = e.withPassword(hash).withExtra(SCRAM_256_FIELD, scram)
                    .withExtra(SCRAM_1_FIELD, null);
            save(file.with(e.user(), changed));
        }
        LOG.info("Changed the password of user {} in {}", user, settings.path());
    }

    @Override
    public boolean removeUser(String user) throws IOException {
        synchronized (lock) {
            PasswdFile file = readFresh();
            PasswdFile.Entry e = file.get(user, settings.caseInsensitive());
            if (e == null) {
                return false;
            }
            save(file.with(e.user(), null));
        }
        LOG.info("Removed user {} from {}", user, settings.path());
        return true;
    }

    private String scramField(char[] password) {
        Settings s = settings;
        return s.storeScram() ? Hashes.formatScram(Hashes.newScram("SHA-256", password, s.scramIterations())) : null;
    }

    private static void checkName(String user) {
        if (user == null || user.isEmpty() || user.length() > 255 || user.startsWith("#")) {
            throw new IllegalArgumentException("invalid user name");
        }
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c == ':' || Character.isWhitespace(c) || c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("invalid user name: no ':', spaces or control characters");
            }
        }
    }

    private static void checkPassword(char[] password) {
        if (password == null || password.length == 0) {
            throw new IllegalArgumentException("empty password");
        }
        for (char c : password) {
            if (c == '\n' || c == '\r' || c == 0) {
                throw new IllegalArgumentException("password contains a line break or NUL");
            }
        }
    }

    private PasswdFile readFresh() throws IOException {
        Path p = settings.path();
        if (!Files.exists(p)) {
            return PasswdFile.empty();
        }
        return PasswdFile.parse(Files.readAllLines(p, StandardCharsets.UTF_8));
    }

    private void save(PasswdFile file) throws IOException {
        write(settings.path(), file.text(), false);
        snapshot = null;
        current();
    }

    /** Writes atomically: a temporary file in the same directory, renamed over the target. */
    private static void write(Path target, List<String> lines, boolean fresh) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            if (view != null) {
                Set<PosixFilePermission> perms = PosixFilePermissions.fromString("rw-------");
                if (!fresh && Files.exists(target)) {
                    perms = Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS);
                }
                view.setPermissions(perms);
            }
            StringBuilder sb = new StringBuilder();
            for (String l : lines) {
                sb.append(l).append('\n');
            }
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String toString() {
        Settings s = settings;
        return "FileRealm[" + (s == null ? "-" : s.name() + ", " + s.path()) + "]";
    }

    Path path() {
        return settings.path();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
