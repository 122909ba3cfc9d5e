package io.pillarbox.api.server;

import io.pillarbox.api.protocol.TlsMode;

/**
 * One configured listener as {@code mail:listeners} shows it.
 *
 * @param name        the configuration's name
 * @param protocol    the protocol it serves
 * @param host        bind address
 * @param port        port
 * @param tls         TLS mode
 * @param bound       whether the server socket is open
 * @param status      why it is not bound (protocol not installed, port in use, ...), or {@code listening}
 * @param connections open connections now
 */
public record ListenerInfo(String name, String protocol, String host, int port, TlsMode tls, boolean bound,
                           String status, int connections) {
}
