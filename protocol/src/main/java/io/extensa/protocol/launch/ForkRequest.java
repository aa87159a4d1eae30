package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * FORK (0x60, launchpad to fork server): fork one child for one job. The child calls setsid(),
 * points fds 0, 1 and 2 away from the fork server's pipes, replaces its environment with
 * {@code env}, changes to {@code work_dir}, and then becomes the job's satellite.
 * <pre>
 *  tag kind          field
 *  1   TEXT          job_id
 *  2   TEXT          socket_path  the engine's job socket
 *  3   BYTES         secret       32 bytes
 *  4   TEXT          work_dir     the job directory (already created by the launchpad)
 *  5   STRUCT (rep.) env          {1 name TEXT, 2 value TEXT}: the child's complete environment
 *  6   TEXT          output_path  optional: file the child appends its stdout and stderr to
 *  7   TEXT          sandbox      optional: the job's part of the sandbox spec (docs/security.md)
 * </pre>
 */
public record ForkRequest(String jobId, String socketPath, byte[] secret, String workDir,
                          Map<String, String> environment, String outputPath, String sandbox)
        implements ControlMessage {

    private static final int JOB_ID_TAG = 1;
    private static final int SOCKET_PATH_TAG = 2;
    private static final int SECRET_TAG = 3;
    private static final int WORK_DIR_TAG = 4;
    private static final int ENV_TAG = 5;
    private static final int OUTPUT_PATH_TAG = 6;
    private static final int SANDBOX_TAG = 7;

    public ForkRequest {
        LaunchRequest.checkJobId(jobId);
        Objects.requireNonNull(socketPath, "socketPath");
        secret = secret.clone();
        Objects.requireNonNull(workDir, "workDir");
        environment = Fields.copyEnvironment(environment);
        outputPath = outputPath == null ? "" : outputPath;
        sandbox = sandbox == null ? "" : sandbox;
    }

    /** A FORK whose child is not sandboxed. */
    public ForkRequest(String jobId, String socketPath, byte[] secret, String workDir,
                       Map<String, String> environment, String outputPath) {
        this(jobId, socketPath, secret, workDir, environment, outputPath, "");
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
        PayloadBuilder payload = new PayloadBuilder()
                .text(JOB_ID_TAG, jobId)
                .text(SOCKET_PATH_TAG, socketPath)
                .bytes(SECRET_TAG, secret.clone())
                .text(WORK_DIR_TAG, workDir);
        Fields.encodeEnvironment(payload, ENV_TAG, environment);
        if (!outputPath.isEmpty()) {
            payload.text(OUTPUT_PATH_TAG, outputPath);
        }
        if (!sandbox.isEmpty()) {
            payload.text(SANDBOX_TAG, sandbox);
        }
        return payload;
    }

    static ForkRequest decode(FieldCursor fields) throws ProtocolException {
        String jobId = null;
        String socketPath = null;
        byte[] secret = null;
        String workDir = null;
        Map<String, String> environment = new LinkedHashMap<>();
        String outputPath = "";
        String sandbox = "";
        while (fields.next()) {
            switch (fields.tag()) {
                case JOB_ID_TAG -> jobId = fields.asText();
                case SOCKET_PATH_TAG -> socketPath = fields.asText();
                case SECRET_TAG -> {
                    ByteBuffer bytes = fields.asBytes();
                    secret = new byte[bytes.remaining()];
                    bytes.get(secret);
                }
                case WORK_DIR_TAG -> workDir = fields.asText();
                case ENV_TAG -> Fields.decodeEnvironmentEntry(fields.asStruct(), environment);
                case OUTPUT_PATH_TAG -> outputPath = fields.asText();
                case SANDBOX_TAG -> sandbox = fields.asText();
                default -> fields.skipUnknown();
            }
        }
        try {
            return new ForkRequest(Fields.require(jobId, "FORK", "1 job_id"),
                    Fields.require(socketPath, "FORK", "2 socket_path"), Fields.require(secret, "FORK", "3 secret"),
                    Fields.require(workDir, "FORK", "4 work_dir"), environment, outputPath, sandbox);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("FORK: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ForkRequest r && jobId.equals(r.jobId) && socketPath.equals(r.socketPath)
                && Arrays.equals(secret, r.secret) && workDir.equals(r.workDir) && environment.equals(r.environment)
                && outputPath.equals(r.outputPath) && sandbox.equals(r.sandbox);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, socketPath, Arrays.hashCode(secret), workDir, environment, outputPath, sandbox);
    }

    @Override
    public String toString() {
        return "ForkRequest[job=" + jobId + ", socket=" + socketPath + ", workDir=" + workDir + ", env="
                + environment.keySet() + ", output=" + outputPath + ", sandboxed=" + !sandbox.isEmpty() + "]";
    }
}
