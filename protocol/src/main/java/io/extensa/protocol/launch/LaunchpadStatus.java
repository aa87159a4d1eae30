package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.ArrayList;
import java.util.List;

/**
 * STATUS (0x45, launchpad to client): what runs now. The launchpad closes the connection after it.
 * <pre>
 *  tag kind          field
 *  1   INT           pid       the launchpad's process id
 *  2   TEXT          version
 *  3   STRUCT (rep.) language  {1 name TEXT, 2 warm BOOL, 3 fork_server_pid INT (0 when none)}
 *  4   STRUCT (rep.) job       {1 job_id TEXT, 2 pid INT, 3 language TEXT, 4 user TEXT,
 *                               5 started_ms INT (Unix epoch ms), 6 pool TEXT, 7 warm BOOL,
 *                               8 standby BOOL, 9 ending BOOL}
 *  5   TEXT          mode      how satellites are isolated, e.g. "unprivileged, no sandbox"
 *  6   STRUCT (rep.) pool      {1 name TEXT, 2 max_cpu_percent INT, 3 max_memory_percent INT,
 *                               4 max_processes INT, 5 active INT (satellites holding a slot),
 *                               6 queued INT (requests waiting for one), 7 memory_limit INT (bytes, 0 = none)}
 *  7   TEXT          enforcement  how pool limits are enforced, e.g. "cgroup v1 (memory, cpu, pids)"
 * </pre>
 */
public record LaunchpadStatus(long pid, String version, List<LanguageInfo> languages, List<JobInfo> jobs, String mode,
                              List<PoolInfo> pools, String enforcement) implements ControlMessage {

    private static final int PID_TAG = 1;
    private static final int VERSION_TAG = 2;
    private static final int LANGUAGE_TAG = 3;
    private static final int JOB_TAG = 4;
    private static final int MODE_TAG = 5;
    private static final int POOL_TAG = 6;
    private static final int ENFORCEMENT_TAG = 7;

    /** An enabled language; {@code warm} is true while its fork server is up. */
    public record LanguageInfo(String name, boolean warm, long forkServerPid) {
        private static final int NAME_TAG = 1;
        private static final int WARM_TAG = 2;
        private static final int FORK_SERVER_PID_TAG = 3;
    }

    /**
     * A job the launchpad knows; {@code standby} while it is a standby not yet activated (it holds
     * no pool slot), {@code ending} once its end is under way (its processes are killed or gone;
     * its slot is released before the job leaves the list). A job neither standby nor ending holds
     * a slot of its pool.
     */
    public record JobInfo(String jobId, long pid, String language, String user, long startedMillis, String pool,
                          boolean warm, boolean standby, boolean ending) {

        /** Whether the job counts against its pool's MAX_PROCESSES: it runs, or may run, a script. */
        public boolean holdsSlot() {
            return !standby && !ending;
        }

        private static final int JOB_ID_TAG = 1;
        private static final int PID_TAG = 2;
        private static final int LANGUAGE_TAG = 3;
        private static final int USER_TAG = 4;
        private static final int STARTED_TAG = 5;
        private static final int POOL_TAG = 6;
        private static final int WARM_TAG = 7;
        private static final int STANDBY_TAG = 8;
        private static final int ENDING_TAG = 9;
    }

    /** A resource pool in force, with how many satellites hold a slot in it and how many requests wait. */
    public record PoolInfo(String name, int maxCpuPercent, int maxMemoryPercent, int maxProcesses, int active,
                           int queued, long memoryLimitBytes) {
        private static final int NAME_TAG = 1;
        private static final int CPU_TAG = 2;
        private static final int MEMORY_TAG = 3;
        private static final int PROCESSES_TAG = 4;
        private static final int ACTIVE_TAG = 5;
        private static final int QUEUED_TAG = 6;
        private static final int MEMORY_LIMIT_TAG = 7;
    }

    public LaunchpadStatus {
        languages = List.copyOf(languages);
        jobs = List.copyOf(jobs);
        pools = List.copyOf(pools);
        enforcement = enforcement == null ? "" : enforcement;
    }

    public LaunchpadStatus(long pid, String version, List<LanguageInfo> languages, List<JobInfo> jobs, String mode) {
        this(pid, version, languages, jobs, mode, List.of(), "");
    }

    /** The pool of that name, if the launchpad has it. */
    public java.util.Optional<PoolInfo> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The enabled languages' names, in the launchpad's order. */
    public List<String> languageNames() {
        return languages.stream().map(LanguageInfo::name).toList();
    }

    @Override
    public MessageType type() {
        return MessageType.STATUS;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder payload = new PayloadBuilder().int64(PID_TAG, pid).text(VERSION_TAG, version);
        for (LanguageInfo language : languages) {
            payload.beginStruct(LANGUAGE_TAG)
                    .text(LanguageInfo.NAME_TAG, language.name())
                    .bool(LanguageInfo.WARM_TAG, language.warm())
                    .int64(LanguageInfo.FORK_SERVER_PID_TAG, language.forkServerPid())
                    .endStruct();
        }
        for (JobInfo job : jobs) {
            payload.beginStruct(JOB_TAG)
                    .text(JobInfo.JOB_ID_TAG, job.jobId())
                    .int64(JobInfo.PID_TAG, job.pid())
                    .text(JobInfo.LANGUAGE_TAG, job.language())
                    .text(JobInfo.USER_TAG, job.user())
                    .int64(JobInfo.STARTED_TAG, job.startedMillis())
                    .text(JobInfo.POOL_TAG, job.pool())
                    .bool(JobInfo.WARM_TAG, job.warm())
                    .bool(JobInfo.STANDBY_TAG, job.standby())
                    .bool(JobInfo.ENDING_TAG, job.ending())
                    .endStruct();
        }
        payload.text(MODE_TAG, mode);
        for (PoolInfo pool : pools) {
            payload.beginStruct(POOL_TAG)
                    .text(PoolInfo.NAME_TAG, pool.name())
                    .int64(PoolInfo.CPU_TAG, pool.maxCpuPercent())
                    .int64(PoolInfo.MEMORY_TAG, pool.maxMemoryPercent())
                    .int64(PoolInfo.PROCESSES_TAG, pool.maxProcesses())
                    .int64(PoolInfo.ACTIVE_TAG, pool.active())
                    .int64(PoolInfo.QUEUED_TAG, pool.queued())
                    .int64(PoolInfo.MEMORY_LIMIT_TAG, pool.memoryLimitBytes())
                    .endStruct();
        }
        return payload.text(ENFORCEMENT_TAG, enforcement);
    }

    static LaunchpadStatus decode(FieldCursor fields) throws ProtocolException {
        long pid = 0;
        String version = "";
        String mode = "";
        List<LanguageInfo> languages = new ArrayList<>();
        List<JobInfo> jobs = new ArrayList<>();
        List<PoolInfo> pools = new ArrayList<>();
        String enforcement = "";
        while (fields.next()) {
            switch (fields.tag()) {
                case PID_TAG -> pid = fields.asInt();
                case VERSION_TAG -> version = fields.asText();
                case LANGUAGE_TAG -> languages.add(decodeLanguage(fields.asStruct()));
                case JOB_TAG -> jobs.add(decodeJob(fields.asStruct()));
                case MODE_TAG -> mode = fields.asText();
                case POOL_TAG -> pools.add(decodePool(fields.asStruct()));
                case ENFORCEMENT_TAG -> enforcement = fields.asText();
                default -> fields.skipUnknown();
            }
        }
        return new LaunchpadStatus(pid, version, languages, jobs, mode, pools, enforcement);
    }

    private static PoolInfo decodePool(FieldCursor fields) throws ProtocolException {
        String name = null;
        int cpu = 0;
        int memory = 0;
        int processes = 0;
        int active = 0;
        int queued = 0;
        long memoryLimit = 0;
        while (fields.next()) {
            switch (fields.tag()) {
                case PoolInfo.NAME_TAG -> name = fields.asText();
                case PoolInfo.CPU_TAG -> cpu = fields.asInt32();
                case PoolInfo.MEMORY_TAG -> memory = fields.asInt32();
                case PoolInfo.PROCESSES_TAG -> processes = fields.asInt32();
                case PoolInfo.ACTIVE_TAG -> active = fields.asInt32();
                case PoolInfo.QUEUED_TAG -> queued = fields.asInt32();
                case PoolInfo.MEMORY_LIMIT_TAG -> memoryLimit = fields.asInt();
                default -> fields.skipUnknown();
            }
        }
        return new PoolInfo(Fields.require(name, fields.context(), "1 name"), cpu, memory, processes, active, queued,
                memoryLimit);
    }

    private static LanguageInfo decodeLanguage(FieldCursor fields) throws ProtocolException {
        String name = null;
        boolean warm = false;
        long forkServerPid = 0;
        while (fields.next()) {
            switch (fields.tag()) {
                case LanguageInfo.NAME_TAG -> name = fields.asText();
                case LanguageInfo.WARM_TAG -> warm = fields.asBool();
                case LanguageInfo.FORK_SERVER_PID_TAG -> forkServerPid = fields.asInt();
                default -> fields.skipUnknown();
            }
        }
        return new LanguageInfo(Fields.require(name, fields.context(), "1 name"), warm, forkServerPid);
    }

    private static JobInfo decodeJob(FieldCursor fields) throws ProtocolException {
        String jobId = null;
        long pid = 0;
        String language = "";
        String user = "";
        long started = 0;
        String pool = LaunchRequest.DEFAULT_POOL;
        boolean warm = false;
        boolean standby = false;
        boolean ending = false;
        while (fields.next()) {
            switch (fields.tag()) {
                case JobInfo.STANDBY_TAG -> standby = fields.asBool();
                case JobInfo.ENDING_TAG -> ending = fields.asBool();
                case JobInfo.JOB_ID_TAG -> jobId = fields.asText();
                case JobInfo.PID_TAG -> pid = fields.asInt();
                case JobInfo.LANGUAGE_TAG -> language = fields.asText();
                case JobInfo.USER_TAG -> user = fields.asText();
                case JobInfo.STARTED_TAG -> started = fields.asInt();
                case JobInfo.POOL_TAG -> pool = fields.asText();
                case JobInfo.WARM_TAG -> warm = fields.asBool();
                default -> fields.skipUnknown();
            }
        }
        return new JobInfo(Fields.require(jobId, fields.context(), "1 job_id"), pid, language, user, started, pool, warm,
                standby, ending);
    }
}
