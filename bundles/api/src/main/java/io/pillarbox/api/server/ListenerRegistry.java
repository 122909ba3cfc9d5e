package io.pillarbox.api.server;

import java.util.List;

/** The configured listeners and their state. */
public interface ListenerRegistry {
    List<ListenerInfo> listeners();
}
