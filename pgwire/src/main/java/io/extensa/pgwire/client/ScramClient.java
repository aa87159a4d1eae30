package io.extensa.pgwire.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it: no channel
 * binding ("n,,"), an empty username in the messages (PostgreSQL takes the role from the startup
 * packet). One instance per authentication exchange; public for test clients that speak the
 * protocol byte by byte.
 */
public final class ScramClient {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String password;
    private final String clientNonce;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    public ScramClient(String password) {
        this.password = password;
        byte[] nonce = new byte[18];
        RANDOM.nextBytes(nonce);
        this.clientNonce = Base64.getEncoder().encodeToString(nonce);
    }

    /** The client-first-message, sent in SASLInitialResponse. */
    public byte[] clientFirst() {
        clientFirstBare = "n=,r=" + clientNonce;
        return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /** The client-final-message for the server-first-message of AuthenticationSASLContinue. */
    public byte[] clientFinal(String serverFirst) throws GeneralSecurityException {
        Map<String, String> f = attributes(serverFirst);
        String nonce = f.get("r");
        if (nonce == null || !nonce.startsWith(clientNonce)) {
            throw new GeneralSecurityException("SCRAM server nonce does not extend the client nonce");
        }
        byte[] salt = Base64.getDecoder().decode(f.get("s"));
        int iterations = Integer.parseInt(f.get("i"));
        String finalBare = "c=biws,r=" + nonce;
        String authMessage = clientFirstBare + "," + serverFirst + "," + finalBare;
        byte[] salted = pbkdf2(password, salt, iterations);
        byte[] clientKey = hmac(salted, "Client Key");
        byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
        byte[] signature = hmac(storedKey, authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        expectedServerSignature = hmac(hmac(salted, "Server Key"), authMessage);
        return (finalBare + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    /** Checks the server-final-message of AuthenticationSASLFinal: the server proves it knew the password too. */
    public void verifyServerFinal(String serverFinal) throws GeneralSecurityException {
        String v = attributes(serverFinal).get("v");
        if (v == null || expectedServerSignature == null
                || !MessageDigest.isEqual(expectedServerSignature, Base64.getDecoder().decode(v))) {
            throw new GeneralSecurityException("the server's SCRAM signature does not match");
        }
    }

    private static Map<String, String> attributes(String message) {
        Map<String, String> m = new HashMap<>();
        for (String part : message.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                m.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return m;
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    }

    private static byte[] hmac(byte[] key, String message) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    }
}
