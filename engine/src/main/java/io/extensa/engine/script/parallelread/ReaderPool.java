package io.extensa.engine.script.parallelread;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.BackendAddress;
import io.extensa.pgwire.client.PgClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reader connections of parallel input reads, kept between calls of the same caller. Setting
 * readers up from nothing (a member role created and committed, new backends, SCRAM logins, cold
 * caches, the role dropped again) cost a call 45-80 ms, which limited the parallel read to tables
 * of 128 MB and more. Kept for {@code parallel read keep seconds} (sp_configure), a call finds
 * its readers logged in and pays a few round trips.
 *
 * <p>What is kept is only what a throw-away role gave before: connections of a member role of one
 * caller, in one database, idle outside any transaction (every read ends in ROLLBACK, which also
 * ends its {@code SET LOCAL ROLE}). A login is used for new connections for {@link #LOGIN_LIFETIME}
 * at most (its role is valid for twice that); a reader that failed, was cancelled or could not
 * roll back is closed, never kept.
 */
public final class ReaderPool implements AutoCloseable {

    /** New connections log in with one role for this long; then a new role takes over. */
    static final Duration LOGIN_LIFETIME = Duration.ofMinutes(4);
    /** Connections one login may have at once: concurrent calls of one caller share it. */
    static final int CONNECTION_LIMIT = 16;
    /**
     * Idle readers kept across all callers: each is a PostgreSQL backend counting against
     * max_connections, so many callers must not fill it with idle readers. Past this, the oldest
     * idle reader is closed.
     */
    static final int MAX_IDLE_TOTAL = 8;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(ReaderPool.class);

    private record Key(String callerRole, String database) {
    }

    private record Idle(PgClient client, long sinceNanos) {
    }

    /** One member role and its connections; guarded by the pool. */
    private static final class Login {
        final ReaderRoles.Login credentials;
        final long createdNanos = System.nanoTime();
        final Deque<Idle> idle = new ArrayDeque<>();
        int leased;
        boolean retired;

        Login(ReaderRoles.Login credentials) {
            this.credentials = credentials;
        }
    }

    private final ReaderRoles roles;
    private final Map<Key, Login> current = new HashMap<>();
    /** Logins no longer used for new connections, dropped once their last leased connection is back. */
    private final List<Login> retired = new ArrayList<>();
    /** Logins made so far: each role's name ends in its number. */
    private long loginsMade;
    private boolean closed;

    public ReaderPool(ReaderRoles roles) {
        this.roles = roles;
    }

    /** Connections for one read, as {@code callerRole}'s member role: kept ones first, then new ones. */
    Lease acquire(BackendAddress address, String callerRole, String database, int count) throws PgException {
        Key key = new Key(callerRole, database);
        Login login;
        List<PgClient> clients = new ArrayList<>(count);
        List<Login> toDrop;
        synchronized (this) {
            if (closed) {
                throw new PgException(io.extensa.pgwire.SqlState.INTERNAL_ERROR, "the gateway is shutting down");
            }
            login = current.get(key);
            toDrop = new ArrayList<>();
            if (login != null && System.nanoTime() - login.createdNanos > LOGIN_LIFETIME.toNanos()) {
                retire(key, login, toDrop);
                login = null;
            }
            if (login == null) {
                // created under the lock: two calls of one caller must not make two roles
                login = new Login(roles.create(callerRole, "r" + ++loginsMade, CONNECTION_LIMIT));
                current.put(key, login);
            }
            while (clients.size() < count && !login.idle.isEmpty()) {
                PgClient kept = login.idle.pollLast().client();
                if (kept.isOpen()) {
                    clients.add(kept);
                } else {
                    kept.close();
                }
            }
            login.leased += count;
        }
        dropAll(toDrop);
        Lease lease = new Lease(login, clients, count);
        try {
            while (clients.size() < count) {
                clients.add(PgClient.connect(address, login.credentials.role(), database,
                        login.credentials.password(), CONNECT_TIMEOUT));
            }
            return lease;
        } catch (PgException | RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /**
     * Closes connections idle for longer than {@code keep} and drops the roles left without any;
     * with a keep of zero, everything idle goes.
     */
    public void sweep(Duration keep) {
        List<PgClient> toClose = new ArrayList<>();
        List<Login> toDrop = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            for (Iterator<Map.Entry<Key, Login>> it = current.entrySet().iterator(); it.hasNext(); ) {
                Login login = it.next().getValue();
                while (!login.idle.isEmpty() && now - login.idle.peekFirst().sinceNanos() >= keep.toNanos()) {
                    toClose.add(login.idle.pollFirst().client());
                }
                if (login.idle.isEmpty() && login.leased == 0) {
                    it.remove();
                    login.retired = true;
                    toDrop.add(login);
                }
            }
        }
        toClose.forEach(PgClient::close);
        dropAll(toDrop);
    }

    private int idleTotal() {
        int total = 0;
        for (Login l : current.values()) {
            total += l.idle.size();
        }
        return total;
    }

    /** Removes and returns the reader idle the longest, of any caller (there is one: the total is not zero). */
    private PgClient takeOldestIdle() {
        Login oldest = null;
        for (Login l : current.values()) {
            if (!l.idle.isEmpty() && (oldest == null
                    || l.idle.peekFirst().sinceNanos() < oldest.idle.peekFirst().sinceNanos())) {
                oldest = l;
            }
        }
        return oldest.idle.pollFirst().client();
    }

    /** Whether any login is kept now: while none is, a sweep has nothing to do. */
    public synchronized boolean isEmpty() {
        return current.isEmpty();
    }

    @Override
    public void close() {
        List<Login> toDrop = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Map.Entry<Key, Login> e : new ArrayList<>(current.entrySet())) {
                retire(e.getKey(), e.getValue(), toDrop);
            }
        }
        dropAll(toDrop);
    }

    /** Takes a login out of use: its idle connections close now, its role goes when none is leased. */
    private void retire(Key key, Login login, List<Login> toDrop) {
        current.remove(key, login);
        login.retired = true;
        login.idle.forEach(i -> i.client().close());
        login.idle.clear();
        if (login.leased == 0) {
            toDrop.add(login);
        } else {
            retired.add(login);
        }
    }

    private void dropAll(List<Login> logins) {
        for (Login l : logins) {
            roles.drop(l.credentials.role());
        }
    }

    /** The connections of one read; {@link #close} gives them back (kept only after {@link #readSucceeded}). */
    final class Lease implements AutoCloseable {
        private final Login login;
        private final List<PgClient> clients;
        private final int count;
        private boolean succeeded;
        private boolean closed;

        private Lease(Login login, List<PgClient> clients, int count) {
            this.login = login;
            this.clients = clients;
            this.count = count;
        }

        List<PgClient> connections() {
            return clients;
        }

        /** The read went to the end: its connections may be kept after a ROLLBACK. */
        void readSucceeded() {
            succeeded = true;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            List<PgClient> reusable = new ArrayList<>();
            for (PgClient c : clients) {
                if (succeeded && c.isOpen() && rolledBack(c)) {
                    reusable.add(c);
                } else {
                    c.close();
                }
            }
            List<PgClient> surplus = new ArrayList<>();
            boolean drop;
            synchronized (ReaderPool.this) {
                login.leased -= count;
                long now = System.nanoTime();
                for (PgClient c : reusable) {
                    if (login.retired || ReaderPool.this.closed) {
                        surplus.add(c);
                        continue;
                    }
                    if (idleTotal() >= MAX_IDLE_TOTAL) {
                        surplus.add(takeOldestIdle());
                    }
                    login.idle.addLast(new Idle(c, now));
                }
                drop = login.retired && login.leased == 0 && retired.remove(login);
            }
            surplus.forEach(PgClient::close);
            if (drop) {
                dropAll(List.of(login));
            }
        }

        private static boolean rolledBack(PgClient c) {
            try {
                c.execute("ROLLBACK");
                return true;
            } catch (PgException e) {
                log.debug("a parallel-read connection is closed instead of kept: {}", e.getMessage());
                return false;
            }
        }
    }
}
