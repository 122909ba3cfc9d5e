package io.pillarbox.store.maildir.migration;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Copies a Maildir++ tree written by Dovecot (INBOX at the root, folders as {@code .Name} directories) to where
 * Pillarbox keeps a user's mail, keeping what lets clients carry on without downloading everything again: the
 * {@code dovecot-uidlist} files (UIDVALIDITY, UIDs, next UID), the message files with their flag letters, the
 * {@code dovecot-keywords} files and the {@code subscriptions} file. Dovecot's own index and cache files
 * ({@code dovecot.index*}, {@code dovecot.list.index*}) are left behind; Pillarbox builds its own index on first use.
 * <p>
 * The simplest migration needs no copy at all: point the Maildir store's mail location (or the realm's per-user
 * location) at the existing Maildirs, e.g. {@code /home/{user}/Maildir}; Pillarbox reads and writes them in place and
 * Dovecot can still be pointed back at them. Use this class to move the mail to a new place instead.
 */
public final class MaildirImporter {

    /** Files of a folder that are carried over, besides the messages. */
    private static final Set<String> FOLDER_FILES = Set.of("dovecot-uidlist", "dovecot-keywords", "maildirfolder",
            "pillarbox-special-use");
    /** Files of the root that are carried over. */
    private static final Set<String> ROOT_FILES = Set.of("subscriptions", "dovecot-uidvalidity");

    private MaildirImporter() {
    }

    /** What an import did. */
    public record Result(int folders, long messages) {
    }

    /**
     * Copies the Maildir tree at {@code source} to {@code target}, which must not exist or be an empty directory.
     * Nothing must write to {@code source} meanwhile (stop Dovecot's delivery for the user first).
     *
     * @param hardLinks link message files instead of copying them where both are on the same file system (the
     *                  source must then not be changed by Dovecot afterwards)
     * @param fsync     flush copied files and directories to disk before returning
     */
    public static Result importMaildir(Path source, Path target, boolean hardLinks, boolean fsync)
            throws IOException {
        if (!Files.isDirectory(source.resolve("cur"))) {
            throw new IOException("not a Maildir (no cur/): " + source);
        }
        if (Files.exists(target)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
                if (ds.iterator().hasNext()) {
                    throw new FileAlreadyExistsException(target.toString(), null, "target is not empty");
                }
            }
        }
        createDirs(target);
        List<String> folders = new ArrayList<>();
        folders.add("");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(source)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && !name.equals(".") && !name.equals("..")
                        && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    folders.add(name);
                }
            }
        }
        long messages = 0;
        for (String folder : folders) {
            Path from = folder.isEmpty() ? source : source.resolve(folder);
            Path to = folder.isEmpty() ? target : target.resolve(folder);
            for (String sub : new String[]{"cur", "new", "tmp"}) {
                createDirs(to.resolve(sub));
            }
            for (String sub : new String[]{"cur", "new"}) {
                Path dir = from.resolve(sub);
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    for (Path f : ds) {
                        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                                || f.getFileName().toString().startsWith(".")) {
                            continue;
                        }
                        copyFile(f, to.resolve(sub).resolve(f.getFileName().toString()), hardLinks, fsync);
                        messages++;
                    }
                }
                if (fsync) {
                    fsyncDir(to.resolve(sub));
                }
            }
            for (String name : folder.isEmpty() ? union(FOLDER_FILES, ROOT_FILES) : FOLDER_FILES) {
                Path f = from.resolve(name);
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    copyFile(f, to.resolve(name), false, fsync);
                }
            }
            if (fsync) {
                fsyncDir(to);
            }
        }
        return new Result(folders.size() - 1, messages);
    }

    /** New directories are the owner's only, as the store makes them. */
    private static void createDirs(Path dir) throws IOException {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(dir);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }

    private static void copyFile(Path from, Path to, boolean link, boolean fsync) throws IOException {
        if (link) {
            try {
                Files.createLink(to, from);
                return;
            } catch (IOException | UnsupportedOperationException e) {
                // another file system: copy instead
            }
        }
        // the modification time is the message's internal date: keep it
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        if (fsync) {
            try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
    }

    private static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }
}
