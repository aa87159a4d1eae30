package io.extensa.pgwire;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** Builds a server SSLContext from PEM files, the format PostgreSQL's own ssl_cert_file and ssl_key_file use. */
final class TlsContexts {

    private TlsContexts() {
    }

    static SSLContext fromPem(TlsSettings settings) throws IOException {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            Collection<? extends Certificate> chain;
            try (var in = Files.newInputStream(settings.certificateChain())) {
                chain = cf.generateCertificates(in);
            }
            if (chain.isEmpty()) {
                throw new IOException("no certificate in " + settings.certificateChain());
            }
            PrivateKey key = readPkcs8Key(Files.readString(settings.privateKey(), StandardCharsets.US_ASCII),
                    settings);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry("extensa", key, password, chain.toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use TLS certificate " + settings.certificateChain() + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey readPkcs8Key(String pem, TlsSettings settings) throws IOException, GeneralSecurityException {
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = pem.indexOf(begin);
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < 0) {
            throw new IOException(settings.privateKey() + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY); convert it with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem'");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException tryNext) {
                // not this algorithm
            }
        }
        throw new IOException("unsupported private key type in " + settings.privateKey());
    }
}
