package io.pillarbox.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;

/** Kept apart so that a missing (optional) epoll package only fails here, as a LinkageError the caller catches. */
final class EpollSupport {

    private EpollSupport() {
    }

    static boolean available() {
        return Epoll.isAvailable();
    }

    static IoHandlerFactory ioHandlerFactory() {
        return EpollIoHandler.newFactory();
    }

    static Class<? extends ServerChannel> serverChannelClass() {
        return EpollServerSocketChannel.class;
    }
}
