package io.extensa.pgwire;

import java.nio.file.Path;

/** A PEM certificate chain and its PKCS#8 PEM private key, for clients that send SSLRequest. */
public record TlsSettings(Path certificateChain, Path privateKey) {
}
