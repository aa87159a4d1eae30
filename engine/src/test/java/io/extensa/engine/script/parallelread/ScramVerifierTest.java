package io.extensa.engine.script.parallelread;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScramVerifierTest {

    @Test
    void matchesTheVerifierComputedIndependently() {
        byte[] salt = new byte[16];
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) i;
        }
        // computed with Python's hashlib (pbkdf2_hmac, hmac, sha256) from RFC 5802's definitions
        assertThat(ScramVerifier.of("secret", salt)).isEqualTo("SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw=="
                + "$THoPhoTAuqyoQsK4dUHncUzgfD8fdmhsgKZhWVqNP5U=:7YiHMMi2OcXGRogub03Ek06JRZ9bkhTOdCzHa5iPLiQ=");
    }
}
