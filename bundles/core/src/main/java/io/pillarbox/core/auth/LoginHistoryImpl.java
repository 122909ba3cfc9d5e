package io.pillarbox.core.auth;

import io.pillarbox.api.auth.LoginHistory;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The last successful login of each user, kept in memory and written to a small file in batches: every
 * {@code flushSeconds} when something changed, and when the component stops; each write goes to a temporary file
 * that then replaces the old one, so a crash leaves either the old or the new file, never half of one.
 * <p>
 * File format, UTF-8, one line per user: {@code user TAB epoch-millis TAB protocol TAB remote} ({@code -} for no
 * remote), after a comment header holding {@code #since epoch-millis}.
 */
@Component(service = {LoginHistory.class, LoginRecorder.class}, configurationPid = LoginHistoryConfig.PID)
@Designate(ocd = LoginHistoryConfig.class)
public class LoginHistoryImpl implements LoginHistory, LoginRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(LoginHistoryImpl.class);
    static final String FILE_NAME = "last-logins.tsv";
    private static final int MAX_FIELD = 128;

    private final Map<String, LastLogin> entries = new ConcurrentHashMap<>();
    private final AtomicBoolean dirty = new AtomicBoolean();
    private volatile Instant since = Instant.now();
    private Path file;
    private int maxUsers;
    private ScheduledExecutorService timer;

    @Activate
    void activate(BundleContext context, LoginHistoryConfig config) {
        Path f;
        if (config.file() != null && !config.file().isBlank()) {
            f = Paths.get(config.file().trim());
        } else if (System.getProperty("karaf.data") != null) {
            f = Paths.get(System.getProperty("karaf.data"), "pillarbox", FILE_NAME);
        } else {
            f = context.getDataFile(FILE_NAME).toPath();
        }
        start(f, config.flushSeconds(), config.maxUsers());
    }

    /** Loads the file and starts the periodic writer (also the entry point of tests). */
    synchronized void start(Path f, int flushSeconds, int max) {
        this.file = f.toAbsolutePath();
        this.maxUsers = Math.max(1, max);
        load();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pillarbox-login-history");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, flushSeconds);
        timer.scheduleWithFixedDelay(this::flushQuietly, every, every, TimeUnit.SECONDS);
        LOG.info("Login history in {}: {} users known, recording since {}", file, entries.size(), since);
    }

    @Deactivate
    synchronized void deactivate() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            timer = null;
        }
        flushQuietly();
    }

    // ---- LoginHistory / LoginRecorder -----------------------------------------------------------------------------

    @Override
    public Optional<LastLogin> lastLogin(String user) {
        return user == null ? Optional.empty() : Optional.ofNullable(entries.get(user));
    }

    @Override
    public Optional<Instant> since() {
        return Optional.of(since);
    }

    @Override
    public void record(String user, Instant time, String protocol, String remote) {
        if (user == null || user.isEmpty() || user.length() > 320 || time == null) {
            return;
        }
        String u = clean(user);
        LastLogin previous = entries.put(u, new LastLogin(time, protocol == null ? "unknown" : clean(protocol),
                remote == null ? null : clean(remote)));
        if (previous == null && entries.size() > maxUsers) {
            forgetOldest(u);
        }
        dirty.set(true);
    }

    int size() {
        return entries.size();
    }

    Path file() {
        return file;
    }

    private void forgetOldest(String keep) {
        String oldest = null;
        Instant t = null;
        for (Map.Entry<String, LastLogin> e : entries.entrySet()) {
            if (!e.getKey().equals(keep) && (t == null || e.getValue().time().isBefore(t))) {
                oldest = e.getKey();
                t = e.getValue().time();
            }
        }
        if (oldest != null) {
            entries.remove(oldest);
        }
    }

    /** Tabs and line ends would break the file; nothing legitimate has them. Long values are cut. */
    private static String clean(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_FIELD * 3));
        for (int i = 0; i < s.length() && b.length() < 320; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return b.toString();
    }

    // ---- the file -------------------------------------------------------------------------------------------------

    private void load() {
        entries.clear();
        if (!Files.isRegularFile(file)) {
            since = Instant.now();
            dirty.set(true); // write the header soon, so that "since" survives a restart
            return;
        }
        Instant header = null;
        int bad = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#since ")) {
                    try {
                        header = Instant.ofEpochMilli(Long.parseLong(line.substring(7).trim()));
                    } catch (NumberFormatException e) {
                        bad++;
                    }
                    continue;
                }
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 4) {
                    bad++;
                    continue;
                }
                try {
                    entries.put(f[0], new LastLogin(Instant.ofEpochMilli(Long.parseLong(f[1])), f[2],
                            f[3].equals("-") ? null : f[3]));
                } catch (NumberFormatException e) {
                    bad++;
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot read the login history {}: {}; starting empty", file, e.toString());
        }
        if (bad > 0) {
            LOG.warn("Login history {}: {} unreadable lines skipped", file, bad);
        }
        since = header != null ? header : Instant.now();
        dirty.set(header == null);
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot write the login history {}: {} (retried in a few seconds)", file, e.toString());
        }
    }

    /** Writes the file if something changed since the last write. */
    synchronized void flush() throws IOException {
        if (!dirty.getAndSet(false)) {
            return;
        }
        try {
            write();
        } catch (IOException | RuntimeException e) {
            dirty.set(true);
            throw e;
        }
    }

    private void write() throws IOException {
        Path dir = file.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             BufferedWriter w = new BufferedWriter(new OutputStreamWriter(java.nio.channels.Channels
                     .newOutputStream(ch), StandardCharsets.UTF_8))) {
            w.write("# Pillarbox: last successful login per user (user, epoch ms, protocol, remote); rewritten "
                    + "by the server\n");
            w.write("#since " + since.toEpochMilli() + "\n");
            for (Map.Entry<String, LastLogin> e : entries.entrySet()) {
                LastLogin l = e.getValue();
                w.write(e.getKey() + '\t' + l.time().toEpochMilli() + '\t' + l.protocol() + '\t'
                        + (l.remote() == null ? "-" : l.remote()) + '\n');
            }
            w.flush();
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
