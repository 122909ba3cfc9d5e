package io.pillarbox.pop3;

import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The message sizes POP3 reports in STAT, LIST and RETR: the octets sent, with CRLF line ends (RFC 1939 section 11:
 * a server that keeps another end-of-line convention counts each line end as two octets; the byte-stuffing is not
 * counted). Stores serve messages with CRLF line ends, and then {@link MessageInfo#size()} is that count; but a store
 * may keep a message with bare LFs exactly as it was given (an IMAP APPEND of a file with LF line ends), and
 * {@link DotStuffer} sends each bare LF as CRLF: such a message is one octet longer on the wire per bare LF.
 * <p>
 * Knowing needs the message's bytes. Each message is read once per service lifetime; per maildrop this keeps the
 * highest UID up to which every message was read and the number of bare LFs of the few messages that have any.
 * UIDs are never reused within one UIDVALIDITY, so later logins read only the messages that arrived since.
 */
final class ServedSizes {

    private static final Logger LOG = LoggerFactory.getLogger(ServedSizes.class);

    private final Map<String, Known> byMaildrop = new ConcurrentHashMap<>();

    /** What was learnt of one maildrop (under one UIDVALIDITY). */
    private static final class Known {
        final long uidValidity;
        long readThrough;
        final Map<Long, Long> bareLfs = new HashMap<>();

        Known(long uidValidity) {
            this.uidValidity = uidValidity;
        }
    }

    /**
     * The sizes to report for {@code list} (the messages of {@code box}, ascending UIDs), in its order. A message
     * that cannot be read is reported with its stored size (RETR will then fail for it anyway).
     */
    long[] sizes(String user, Mailbox box, List<MessageInfo> list) throws StoreException {
        String key = user.toLowerCase(Locale.ROOT);
        long uidValidity = box.uidValidity();
        Known known = byMaildrop.compute(key, (k, old) -> old != null && old.uidValidity == uidValidity ? old
                : new Known(uidValidity));
        long[] sizes = new long[list.size()];
        synchronized (known) {
            boolean contiguous = true;
            for (int i = 0; i < sizes.length; i++) {
                MessageInfo m = list.get(i);
                if (m.uid() > known.readThrough) {
                    long extra = bareLfs(box, m.uid());
                    if (extra < 0) {
                        contiguous = false;
                        extra = 0;
                    } else if (extra > 0) {
                        known.bareLfs.put(m.uid(), extra);
                    }
                    if (contiguous) {
                        known.readThrough = m.uid();
                    }
                }
                sizes[i] = m.size() + known.bareLfs.getOrDefault(m.uid(), 0L);
            }
        }
        return sizes;
    }

    /** The LFs not preceded by CR in a message, or -1 if it cannot be read now. */
    private static long bareLfs(Mailbox box, long uid) throws StoreException {
        try (InputStream in = box.content(uid).open()) {
            return count(in);
        } catch (StoreException e) {
            if (e.reason() == StoreException.Reason.NONEXISTENT) {
                return 0; // expunged meanwhile: gone for good, its UID never comes back
            }
            throw e;
        } catch (IOException e) {
            LOG.warn("cannot read message {} to count its line ends: {}", uid, e.toString());
            return -1;
        }
    }

    /** Counts the LFs not preceded by CR, as {@link DotStuffer} converts them. */
    static long count(InputStream in) throws IOException {
        byte[] buf = new byte[65536];
        long bare = 0;
        boolean lastCr = false;
        int n;
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n' && !lastCr) {
                    bare++;
                }
                lastCr = b == '\r';
            }
        }
        return bare;
    }
}
