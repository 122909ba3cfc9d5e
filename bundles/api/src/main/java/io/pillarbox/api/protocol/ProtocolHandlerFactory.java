package io.pillarbox.api.protocol;

import io.netty.channel.Channel;

/**
 * What a protocol bundle (IMAP, POP3, SMTP, ...) registers as an OSGi service, with the service property
 * {@link #PROPERTY_NAME}. A listener whose configuration names this protocol serves it while the service exists;
 * when the service goes away, the listener unbinds and its sessions are closed politely.
 */
public interface ProtocolHandlerFactory {

    /** Service property: the protocol name that listener configurations refer to, e.g. {@code imap}. */
    String PROPERTY_NAME = "pillarbox.protocol";

    String protocol();

    /**
     * Sets up one accepted connection. Called on the channel's event loop after the transport has installed its own
     * handlers (byte counting, idle detection, and TLS for implicit-TLS listeners); the protocol adds its codec and
     * handlers at the end of the pipeline and typically writes its greeting when the channel becomes active.
     * <p>
     * The handlers must react to a {@link CloseRequest} user event by saying goodbye ({@code * BYE}, {@code 421},
     * {@code -ERR}) and closing the channel; the transport closes it anyway after a grace period.
     */
    void initChannel(Channel channel, Connection connection);
}
