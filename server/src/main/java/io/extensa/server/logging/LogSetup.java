package io.extensa.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Configures logback for the CLI's JVM. The server logs to DIR/log/gateway.log (every logger,
 * including the gateway's io.extensa.pgwire and the engine's io.extensa.engine) and, in the
 * foreground, to the console too; other commands log warnings to standard error only.
 */
public final class LogSetup {

    static final String FILE_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";
    static final String AUDIT_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %msg%n";
    static final String CONSOLE_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n";

    private LogSetup() {
    }

    /** The server: {@code logFile} always, the console when {@code console}. */
    public static void server(Path logFile, boolean console, String extensaLevel) {
        LoggerContext context = reset();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        var file = new FileAppender<ILoggingEvent>();
        file.setContext(context);
        file.setName("file");
        file.setFile(logFile.toString());
        file.setAppend(true);
        file.setEncoder(encoder(context, FILE_PATTERN));
        file.start();
        root.addAppender(file);
        if (console) {
            root.addAppender(console(context, CONSOLE_PATTERN));
        }
        context.getLogger("io.extensa").setLevel(Level.toLevel(extensaLevel, Level.INFO));
        // the audit trail also goes to a file of its own, for whoever reviews who ran what
        var audit = new FileAppender<ILoggingEvent>();
        audit.setContext(context);
        audit.setName("audit");
        audit.setFile(logFile.resolveSibling("audit.log").toString());
        audit.setAppend(true);
        audit.setEncoder(encoder(context, AUDIT_PATTERN));
        audit.start();
        Logger auditLogger = context.getLogger("extensa.audit");
        auditLogger.setLevel(Level.INFO);
        auditLogger.addAppender(audit);
    }

    /** Commands other than start: warnings and errors to standard error. */
    public static void quiet() {
        LoggerContext context = reset();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        var appender = console(context, "%-5level %msg%n");
        root.addAppender(appender);
    }

    private static LoggerContext reset() {
        var context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        return context;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String pattern) {
        var appender = new ConsoleAppender<ILoggingEvent>();
        appender.setContext(context);
        appender.setName("console");
        appender.setTarget("System.err");
        appender.setEncoder(encoder(context, pattern));
        appender.start();
        return appender;
    }

    private static PatternLayoutEncoder encoder(LoggerContext context, String pattern) {
        var encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }
}
