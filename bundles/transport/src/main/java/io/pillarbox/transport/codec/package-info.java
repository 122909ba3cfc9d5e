/** Framing shared by line-based protocols (POP3, POP2, ...). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.pillarbox.transport.codec;
