/**
 * MIME parsing for Pillarbox: {@link io.pillarbox.mime.MessageParser} turns a message into the store's
 * {@link io.pillarbox.api.store.MessageStructure} in one streaming pass, {@link io.pillarbox.mime.StructureCodec}
 * keeps it in store indexes, {@link io.pillarbox.mime.HeaderDecoder} decodes RFC 2047 words.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.pillarbox.mime;
