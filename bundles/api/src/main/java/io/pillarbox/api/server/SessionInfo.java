package io.pillarbox.api.server;

import java.net.InetSocketAddress;
import java.time.Instant;

/** A live connection as {@code mail:sessions} shows it. */
public interface SessionInfo {

    String id();

    String protocol();

    String listener();

    /** The authenticated user, or {@code null} before login. */
    String user();

    InetSocketAddress remoteAddress();

    Instant since();

    String state();

    boolean secure();

    long bytesIn();

    long bytesOut();
}
