package io.pillarbox.sample.echo;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.pillarbox.api.protocol.CloseRequest;
import io.pillarbox.api.protocol.Connection;
import io.pillarbox.api.protocol.ProtocolHandlerFactory;
import org.osgi.service.component.annotations.Component;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A line protocol that echoes what it gets: the smallest complete Pillarbox protocol bundle. Commands:
 * {@code STARTTLS}, {@code SECURE?}, {@code QUIT}; any other line is echoed back. It greets with {@code +ECHO ready}
 * and answers a {@link CloseRequest} with {@code -BYE <reason>}.
 */
@Component(property = ProtocolHandlerFactory.PROPERTY_NAME + "=echo")
public class EchoProtocol implements ProtocolHandlerFactory {

    @Override
    public String protocol() {
        return "echo";
    }

    @Override
    public void initChannel(Channel channel, Connection connection) {
        channel.pipeline()
                .addLast("framer", new LineBasedFrameDecoder(1000))
                .addLast("decoder", new StringDecoder(StandardCharsets.UTF_8))
                .addLast("encoder", new StringEncoder(StandardCharsets.UTF_8))
                .addLast("echo", new EchoHandler(connection));
    }

    static final class EchoHandler extends SimpleChannelInboundHandler<String> {
        private final Connection connection;

        EchoHandler(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush("+ECHO ready\r\n");
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) {
            String command = line.strip().toUpperCase(Locale.ROOT);
            switch (command) {
                case "QUIT" -> ctx.writeAndFlush("+BYE\r\n").addListener(ChannelFutureListener.CLOSE);
                case "SECURE?" -> ctx.writeAndFlush("+" + (connection.isSecure() ? "secure" : "plain") + "\r\n");
                case "STARTTLS" -> {
                    if (connection.canStartTls()) {
                        connection.startTls();
                        ctx.writeAndFlush("+GO\r\n");
                    } else {
                        ctx.writeAndFlush("-NO TLS not available\r\n");
                    }
                }
                default -> {
                    connection.setState("echoing");
                    ctx.writeAndFlush(line + "\r\n");
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof CloseRequest close) {
                ctx.writeAndFlush("-BYE " + close.reason() + "\r\n").addListener(ChannelFutureListener.CLOSE);
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }
    }
}
