package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * LAUNCH (0x40, engine to launchpad): start one satellite for one job. The first and only request
 * on a job's control connection; the job lives as long as that connection.
 * <pre>
 *  tag kind          field
 *  1   TEXT          job_id       [A-Za-z0-9_-]{1,64}; names the job's directory
 *  2   TEXT          language     matched case-insensitively against the enabled runtimes
 *  3   TEXT          socket_path  absolute path of the engine's job socket, at most 107 bytes
 *  4   BYTES         secret       exactly 32 bytes, proven by the satellite in its HELLO
 *  5   TEXT          user         the caller's PostgreSQL role
 *  6   TEXT          database     optional, default ""
 *  7   TEXT          pool         optional, default "default"
 *  8   INT           session_id   optional, default 0
 *  9   STRUCT (rep.) env          {1 name TEXT, 2 value TEXT}: extra environment
 *  10  INT           timeout_ms   optional, 0 = no wall-clock limit
 *  11  TEXT (rep.)   library_path absolute directories of external libraries the satellite searches, in
 *                                 order, before its own packages; read-only for the satellite
 *  12  INT           queue_timeout_ms  optional: the longest this request may wait for a slot in its
 *                                      pool; 0 = the launchpad's launchpad.queue_timeout_ms
 *  13  BOOL          standby      optional, default false: start the satellite now but take no pool
 *                                 slot; it gets one at ACTIVATE, before the engine gives it any
 *                                 user code (a standby satellite, docs/launchpad.md)
 * </pre>
 */
public record LaunchRequest(String jobId, String language, String socketPath, byte[] secret, String user,
                            String database, String pool, long sessionId, Map<String, String> environment,
                            long timeoutMillis, java.util.List<String> libraryPaths, long queueTimeoutMillis,
                            boolean standby)
        implements ControlMessage {

    public static final int SECRET_BYTES = 32;
    public static final String DEFAULT_POOL = "default";
    /** sun_path holds 108 bytes including the terminating NUL. */
    public static final int MAX_SOCKET_PATH_BYTES = 107;
    public static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private static final int JOB_ID_TAG = 1;
    private static final int LANGUAGE_TAG = 2;
    private static final int SOCKET_PATH_TAG = 3;
    private static final int SECRET_TAG = 4;
    private static final int USER_TAG = 5;
    private static final int DATABASE_TAG = 6;
    private static final int POOL_TAG = 7;
    private static final int SESSION_ID_TAG = 8;
    private static final int ENV_TAG = 9;
    private static final int TIMEOUT_TAG = 10;
    private static final int QUEUE_TIMEOUT_TAG = 12;
    private static final int LIBRARY_PATH_TAG = 11;
    private static final int STANDBY_TAG = 13;
    /** The satellite's view of {@link #libraryPaths()}: the directories joined with ':'. */
    public static final String LIBRARY_PATH_VARIABLE = "EXTENSA_LIBRARY_PATH";

    public LaunchRequest {
        checkJobId(jobId);
        Objects.requireNonNull(language, "language");
        if (language.isBlank()) {
            throw new IllegalArgumentException("language is empty");
        }
        checkSocketPath(socketPath);
        Objects.requireNonNull(secret, "secret");
        if (secret.length != SECRET_BYTES) {
            throw new IllegalArgumentException("secret must be " + SECRET_BYTES + " bytes, not " + secret.length);
        }
        secret = secret.clone();
        Objects.requireNonNull(user, "user");
        if (user.isEmpty()) {
            throw new IllegalArgumentException("user is empty");
        }
        database = database == null ? "" : database;
        pool = pool == null || pool.isEmpty() ? DEFAULT_POOL : pool;
        environment = Fields.copyEnvironment(environment == null ? Map.of() : environment);
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeout_ms must not be negative: " + timeoutMillis);
        }
        if (queueTimeoutMillis < 0) {
            throw new IllegalArgumentException("queue_timeout_ms must not be negative: " + queueTimeoutMillis);
        }
        libraryPaths = libraryPaths == null ? java.util.List.of() : java.util.List.copyOf(libraryPaths);
        for (String path : libraryPaths) {
            if (!path.startsWith("/") || path.indexOf('\0') >= 0 || path.indexOf(':') >= 0) {
                throw new IllegalArgumentException("library_path must be an absolute path without ':': '" + path + "'");
            }
        }
    }

    /** Without library paths. */
    public LaunchRequest(String jobId, String language, String socketPath, byte[] secret, String user,
                         String database, String pool, long sessionId, Map<String, String> environment,
                         long timeoutMillis) {
        this(jobId, language, socketPath, secret, user, database, pool, sessionId, environment, timeoutMillis,
                java.util.List.of());
    }

    /** Without a queue timeout of its own. */
    public LaunchRequest(String jobId, String language, String socketPath, byte[] secret, String user,
                         String database, String pool, long sessionId, Map<String, String> environment,
                         long timeoutMillis, java.util.List<String> libraryPaths) {
        this(jobId, language, socketPath, secret, user, database, pool, sessionId, environment, timeoutMillis,
                libraryPaths, 0, false);
    }

    public static Builder builder(String jobId, String language) {
        return new Builder(jobId, language);
    }

    public static boolean isValidJobId(String jobId) {
        return jobId != null && JOB_ID.matcher(jobId).matches();
    }

    static String checkJobId(String jobId) {
        if (!isValidJobId(jobId)) {
            throw new IllegalArgumentException("invalid job id '" + jobId + "': 1 to 64 of A-Z a-z 0-9 _ -");
        }
        return jobId;
    }

    private static void checkSocketPath(String socketPath) {
        Objects.requireNonNull(socketPath, "socket_path");
        if (!socketPath.startsWith("/") || socketPath.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("socket_path must be an absolute path: '" + socketPath + "'");
        }
        int bytes = socketPath.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SOCKET_PATH_BYTES) {
            throw new IllegalArgumentException("socket_path is " + bytes + " bytes long; Unix sockets allow at most "
                    + MAX_SOCKET_PATH_BYTES);
        }
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    /** The wall-clock limit, or empty when the job may run for ever. */
    public Optional<Duration> timeout() {
        return timeoutMillis == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(timeoutMillis));
    }

    /** How long this request may wait for a pool slot, or empty for the launchpad's own limit. */
    public Optional<Duration> queueTimeout() {
        return queueTimeoutMillis == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(queueTimeoutMillis));
    }

    @Override
    public MessageType type() {
        return MessageType.LAUNCH;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder payload = new PayloadBuilder()
                .text(JOB_ID_TAG, jobId)
                .text(LANGUAGE_TAG, language)
                .text(SOCKET_PATH_TAG, socketPath)
                .bytes(SECRET_TAG, secret.clone())
                .text(USER_TAG, user)
                .text(DATABASE_TAG, database)
                .text(POOL_TAG, pool)
                .int64(SESSION_ID_TAG, sessionId);
        Fields.encodeEnvironment(payload, ENV_TAG, environment);
        payload.int64(TIMEOUT_TAG, timeoutMillis).int64(QUEUE_TIMEOUT_TAG, queueTimeoutMillis);
        for (String path : libraryPaths) {
            payload.text(LIBRARY_PATH_TAG, path);
        }
        if (standby) {
            payload.bool(STANDBY_TAG, true);
        }
        return payload;
    }

    static LaunchRequest decode(FieldCursor fields) throws ProtocolException {
        String jobId = null;
        String language = null;
        String socketPath = null;
        byte[] secret = null;
        String user = null;
        String database = null;
        String pool = null;
        long sessionId = 0;
        Map<String, String> environment = new LinkedHashMap<>();
        long timeout = 0;
        java.util.List<String> libraryPaths = new java.util.ArrayList<>();
        long queueTimeout = 0;
        boolean standby = false;
        while (fields.next()) {
            switch (fields.tag()) {
                case JOB_ID_TAG -> jobId = fields.asText();
                case LANGUAGE_TAG -> language = fields.asText();
                case SOCKET_PATH_TAG -> socketPath = fields.asText();
                case SECRET_TAG -> {
                    ByteBuffer bytes = fields.asBytes();
                    secret = new byte[bytes.remaining()];
                    bytes.get(secret);
                }
                case USER_TAG -> user = fields.asText();
                case DATABASE_TAG -> database = fields.asText();
                case POOL_TAG -> pool = fields.asText();
                case SESSION_ID_TAG -> sessionId = fields.asInt();
                case ENV_TAG -> Fields.decodeEnvironmentEntry(fields.asStruct(), environment);
                case TIMEOUT_TAG -> timeout = fields.asInt();
                case LIBRARY_PATH_TAG -> libraryPaths.add(fields.asText());
                case QUEUE_TIMEOUT_TAG -> queueTimeout = fields.asInt();
                case STANDBY_TAG -> standby = fields.asBool();
                default -> fields.skipUnknown();
            }
        }
        Fields.require(jobId, "LAUNCH", "1 job_id");
        Fields.require(language, "LAUNCH", "2 language");
        Fields.require(socketPath, "LAUNCH", "3 socket_path");
        Fields.require(secret, "LAUNCH", "4 secret");
        Fields.require(user, "LAUNCH", "5 user");
        try {
            return new LaunchRequest(jobId, language, socketPath, secret, user, database, pool, sessionId,
                    environment, timeout, libraryPaths, queueTimeout, standby);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("LAUNCH: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LaunchRequest r && jobId.equals(r.jobId) && language.equals(r.language)
                && socketPath.equals(r.socketPath) && Arrays.equals(secret, r.secret) && user.equals(r.user)
                && database.equals(r.database) && pool.equals(r.pool) && sessionId == r.sessionId
                && environment.equals(r.environment) && timeoutMillis == r.timeoutMillis
                && libraryPaths.equals(r.libraryPaths) && queueTimeoutMillis == r.queueTimeoutMillis
                && standby == r.standby;
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, language, socketPath, Arrays.hashCode(secret), user, database, pool, sessionId,
                environment, timeoutMillis, libraryPaths, queueTimeoutMillis, standby);
    }

    /** Never prints the secret, nor environment values (they may hold credentials). */
    @Override
    public String toString() {
        return "LaunchRequest[job=" + jobId + ", language=" + language + ", socket=" + socketPath + ", user=" + user
                + ", database=" + database + ", pool=" + pool + ", session=" + sessionId + ", env="
                + environment.keySet() + ", timeoutMs=" + timeoutMillis + ", libraries=" + libraryPaths
                + ", queueTimeoutMs=" + queueTimeoutMillis + (standby ? ", standby" : "") + "]";
    }

    /** Builds a request; job id, language, socket path, secret and user are required. */
    public static final class Builder {
        private final String jobId;
        private final String language;
        private String socketPath;
        private byte[] secret;
        private String user;
        private String database = "";
        private String pool = DEFAULT_POOL;
        private long sessionId;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private long timeoutMillis;
        private java.util.List<String> libraryPaths = java.util.List.of();
        private long queueTimeoutMillis;
        private boolean standby;

        private Builder(String jobId, String language) {
            this.jobId = jobId;
            this.language = language;
        }

        public Builder socketPath(String path) {
            this.socketPath = path;
            return this;
        }

        public Builder socketPath(Path path) {
            return socketPath(path.toAbsolutePath().toString());
        }

        public Builder secret(byte[] secret) {
            this.secret = secret.clone();
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder database(String database) {
            this.database = database;
            return this;
        }

        public Builder pool(String pool) {
            this.pool = pool;
            return this;
        }

        public Builder sessionId(long sessionId) {
            this.sessionId = sessionId;
            return this;
        }

        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        public Builder environment(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeoutMillis = timeout.toMillis();
            return this;
        }

        /** External library directories, searched in this order before the runtime's own packages. */
        public Builder libraryPaths(java.util.List<Path> paths) {
            this.libraryPaths = paths.stream().map(p -> p.toAbsolutePath().toString()).toList();
            return this;
        }

        /** The longest this request may wait for a slot in its pool (capped by the launchpad's own limit). */
        public Builder queueTimeout(Duration timeout) {
            this.queueTimeoutMillis = timeout.toMillis();
            return this;
        }

        /** A standby satellite: started now, admitted to its pool at ACTIVATE. */
        public Builder standby(boolean standby) {
            this.standby = standby;
            return this;
        }

        public LaunchRequest build() {
            return new LaunchRequest(jobId, language, socketPath, secret, user, database, pool, sessionId,
                    environment, timeoutMillis, libraryPaths, queueTimeoutMillis, standby);
        }
    }
}
