package io.extensa.pgwire.intercept;

/**
 * The gateway's single extension point: per client session, decides which SQL texts are
 * Extensa statements and runs them. Everything it declines is relayed to PostgreSQL unchanged.
 */
@FunctionalInterface
public interface StatementInterceptor {

    /** Relays everything: a plain PostgreSQL proxy. */
    StatementInterceptor RELAY_ALL = session -> new SessionInterceptor() {
        @Override
        public InterceptedStatement intercept(String sql) {
            return null;
        }

        @Override
        public boolean mayIntercept(byte[] sql, int offset, int length) {
            return false;
        }
    };

    /** Called once per client session after authentication succeeded. */
    SessionInterceptor openSession(ClientSession session);
}
