package io.pillarbox.imap;

import io.netty.channel.Channel;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.compression.ZlibWrapper;

/** COMPRESS=DEFLATE (RFC 4978): raw DEFLATE both ways, below the IMAP codec and above TLS. */
final class Compression {

    static final String INFLATER = "imap-inflate";
    static final String DEFLATER = "imap-deflate";

    private Compression() {
    }

    static boolean available() {
        try {
            Class.forName("io.netty.handler.codec.compression.JdkZlibEncoder", false,
                    Compression.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static boolean active(Channel ch) {
        return ch.pipeline().get(DEFLATER) != null;
    }

    /** Call on the event loop right after the tagged OK was flushed. */
    static void install(Channel ch) {
        ch.pipeline().addBefore(ImapSession.CHUNKED, INFLATER, ZlibCodecFactory.newZlibDecoder(ZlibWrapper.NONE));
        ch.pipeline().addBefore(ImapSession.CHUNKED, DEFLATER, ZlibCodecFactory.newZlibEncoder(ZlibWrapper.NONE, 6));
    }
}
