package io.pillarbox.pop3;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.store.memory.MemoryMailStore;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ServedSizesTest {

    /** An input stream handing out one octet per read, so that a CR and its LF arrive in different reads. */
    static InputStream trickle(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
    }

    @Test
    void countsOnlyLfsWithoutACrBeforeThem() throws Exception {
        assertEquals(0, ServedSizes.count(trickle("a\r\nb\r\n\r\n")));
        assertEquals(3, ServedSizes.count(trickle("\na\n\nb\r\n")));
        assertEquals(1, ServedSizes.count(trickle("a\r\r\n\n")), "CR CR LF is one line end, then a bare LF");
        assertEquals(0, ServedSizes.count(trickle("no line end at all\r")));
        assertEquals(1, ServedSizes.count(new ByteArrayInputStream(new byte[]{'\r', 'x', '\n'})));
    }

    @Test
    void eachMessageIsReadOncePerUidValidity() throws Exception {
        MemoryMailStore memory = new MemoryMailStore();
        MailPrincipal alice = MailPrincipal.of("alice", "test");
        List<String> texts = List.of("Subject: crlf\r\n\r\nbody\r\n", "Subject: lf\n\nbody\n", "Subject: mixed\r\n\nx");
        try (StoreSession s = memory.open(alice)) {
            for (String t : texts) {
                s.append(StoreSession.INBOX, MessageSource.of(t.getBytes(StandardCharsets.UTF_8)), Set.of(), null);
            }
        }
        ServedSizes sizes = new ServedSizes();
        List<Long> read = new ArrayList<>();
        try (StoreSession s = memory.open(alice); Mailbox real = s.open(StoreSession.INBOX, false)) {
            Mailbox counting = counting(real, read);
            long[] expected = {texts.get(0).length(), texts.get(1).length() + 3, texts.get(2).length() + 1};
            assertArrayEquals(expected, sizes.sizes("alice", counting, real.messages()));
            assertEquals(3, read.size());
            // again, as the next login of the same user (any case): nothing is read
            assertArrayEquals(expected, sizes.sizes("ALICE", counting, real.messages()));
            assertEquals(3, read.size());

            // a new message: only it is read
            long uid = s.append(StoreSession.INBOX, MessageSource.of("new\n".getBytes(StandardCharsets.UTF_8)),
                    Set.of(), null).uid();
            long[] more = sizes.sizes("alice", counting, real.messages());
            assertEquals(List.of(real.messages().get(0).uid(), real.messages().get(1).uid(),
                    real.messages().get(2).uid(), uid), read);
            assertEquals(5, more[3]);
            assertEquals(expected[1], more[1]);
        }
        // another user's maildrop is its own
        MailPrincipal bob = MailPrincipal.of("bob", "test");
        try (StoreSession s = memory.open(bob)) {
            s.append(StoreSession.INBOX, MessageSource.of("x\ny\n".getBytes(StandardCharsets.UTF_8)), Set.of(), null);
            try (Mailbox b = s.open(StoreSession.INBOX, true)) {
                assertArrayEquals(new long[]{6}, sizes.sizes("bob", b, b.messages()));
            }
        }
    }

    /** {@code real}, recording the UID of every {@code content} call. */
    static Mailbox counting(Mailbox real, List<Long> read) {
        return (Mailbox) Proxy.newProxyInstance(Mailbox.class.getClassLoader(), new Class<?>[]{Mailbox.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("content")) {
                        read.add((Long) args[0]);
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
