package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * FORK 0x60, launchpad to fork server: start a satellite for a job from the warm process.
 * <pre>
 *  1 job_id TEXT  2 socket_path TEXT (the engine's job socket)  3 secret BYTES (32)
 *  4 work_dir TEXT  5 env STRUCT* {1 name TEXT, 2 value TEXT} (the child's whole environment)
 * </pre>
 *
 * @param env in the order given; names are unique
 */
public record Fork(String jobId, String socketPath, byte[] secret, String workDir, Map<String, String> env)
        implements Message {

    public Fork {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(socketPath, "socketPath");
        Objects.requireNonNull(workDir, "workDir");
        secret = Objects.requireNonNull(secret, "secret").clone();
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.FORK;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder out = new PayloadBuilder();
        out.text(1, jobId);
        out.text(2, socketPath);
        out.bytes(3, secret);
        out.text(4, workDir);
        for (Map.Entry<String, String> variable : env.entrySet()) {
            out.beginStruct(5).text(1, variable.getKey()).text(2, variable.getValue()).endStruct();
        }
        return out;
    }

    public static Fork decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "FORK");
        String jobId = null;
        String socketPath = null;
        byte[] secret = null;
        String workDir = null;
        Map<String, String> env = new LinkedHashMap<>();
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> jobId = in.text();
                case 2 -> socketPath = in.text();
                case 3 -> secret = in.bytes();
                case 4 -> workDir = in.text();
                case 5 -> decodeVariable(in.element(), env, in);
                default -> in.unknown();
            }
        }
        in.require(1, "job_id");
        in.require(2, "socket_path");
        in.require(3, "secret");
        in.require(4, "work_dir");
        return new Fork(jobId, socketPath, secret, workDir, env);
    }

    private static void decodeVariable(FieldCursor fields, Map<String, String> env, FieldReader outer)
            throws ProtocolException {
        FieldReader in = new FieldReader(fields, "env");
        String name = null;
        String value = null;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> name = in.text();
                case 2 -> value = in.text();
                default -> in.unknown();
            }
        }
        in.require(1, "name");
        in.require(2, "value");
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
            throw outer.invalid("has an invalid environment variable '" + name + "'");
        }
        if (env.putIfAbsent(name, value) != null) {
            throw outer.invalid("sets environment variable " + name + " twice");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fork f && jobId.equals(f.jobId) && socketPath.equals(f.socketPath)
                && Arrays.equals(secret, f.secret) && workDir.equals(f.workDir) && env.equals(f.env);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, socketPath, Arrays.hashCode(secret), workDir, env);
    }

    /** Never prints the secret or the environment's values. */
    @Override
    public String toString() {
        return "Fork[jobId=" + jobId + ", socketPath=" + socketPath + ", workDir=" + workDir + ", env="
                + env.keySet() + "]";
    }
}
