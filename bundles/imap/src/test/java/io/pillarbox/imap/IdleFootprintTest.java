package io.pillarbox.imap;

import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many sessions idling on one mailbox: what each costs in heap, protocol state and store registration together. */
class IdleFootprintTest {

    static long used() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void aThousandIdleSessionsStayLightAndAreAllTold() {
        TestAuth auth = new TestAuth(Map.of("alice", "secret"));
        ImapServer server = new ImapServer(ImapSettings.defaults(), auth, auth, new TestStores(new MemoryMailStore()),
                new RecentTracker());
        ImapTester first = new ImapTester(server);
        first.login("alice", "secret");
        first.send(SessionConcurrencyTest.appendLine("x", Messages.SIMPLE));
        long before = used();
        List<ImapTester> sessions = new ArrayList<>();
        int n = 1000;
        for (int i = 0; i < n; i++) {
            ImapTester t = new ImapTester(server);
            t.login("alice", "secret");
            t.send("s SELECT INBOX");
            t.send("i IDLE");
            sessions.add(t);
        }
        long per = (used() - before) / n;
        System.out.println("heap per idle session (EmbeddedChannel included): " + per + " bytes");
        // the aim is 10,000 IDLE sessions in 512 MB, about 50 KB each with the channel and TLS; the IMAP part
        // must stay well below that
        assertTrue(per < 20_000, "per idle session: " + per);
        first.send(SessionConcurrencyTest.appendLine("y", Messages.REPLY));
        int claimed = 0;
        for (ImapTester t : sessions) {
            t.settle();
            List<String> lines = t.expectNow("\\* 2 EXISTS", "\\* [02] RECENT");
            claimed += lines.get(1).equals("* 2 RECENT") ? 1 : 0;
        }
        // the first session to select claimed message 1 and was first to be told of message 2
        assertTrue(claimed == 1, "sessions that saw the new message as recent: " + claimed);
    }
}
