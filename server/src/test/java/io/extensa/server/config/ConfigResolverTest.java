package io.extensa.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.pgwire.BackendAddress;
import io.extensa.server.ExtensaException;
import io.extensa.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigResolverTest {

    @TempDir
    Path temp;

    private ServerConfig resolve(ConfigResolver.Flags flags, Map<String, String> env) {
        return ConfigResolver.resolve(flags, env, false, temp.resolve("home"));
    }

    private ConfigResolver.Flags dataDirOnly(Path dir) {
        return new ConfigResolver.Flags(Optional.of(dir), OptionalInt.empty(), Optional.empty(), Optional.empty());
    }

    @Test
    void defaultsWithoutFlagsEnvironmentOrFile() {
        ServerConfig config = resolve(ConfigResolver.Flags.none(), Map.of());

        assertThat(config.dataDir()).isEqualTo(temp.resolve("home/.local/share/extensa"));
        assertThat(config.gatewayPort()).isEqualTo(5433);
        assertThat(config.listenHost()).isEqualTo("127.0.0.1");
        assertThat(config.managedPostgres()).isTrue();
        assertThat(config.adminPassword()).isEmpty();
        assertThat(config.tls()).isEmpty();
        assertThat(config.postgresAccount()).isEqualTo("extensa");
        assertThat(config.logLevel()).isEqualTo("INFO");
    }

    @Test
    void rootDefaultsToVarLib() {
        assertThat(ConfigResolver.dataDir(Optional.empty(), Map.of(), true, Path.of("/root")))
                .isEqualTo(Path.of("/var/lib/extensa"));
    }

    @Test
    void dataDirFlagBeatsEnvironment() {
        Map<String, String> env = Map.of(ConfigKeys.ENV_DATA_DIR, "/from/env");

        assertThat(ConfigResolver.dataDir(Optional.empty(), env, false, temp)).isEqualTo(Path.of("/from/env"));
        assertThat(ConfigResolver.dataDir(Optional.of(Path.of("/from/flag")), env, false, temp))
                .isEqualTo(Path.of("/from/flag"));
    }

    @Test
    void portPrecedenceIsFlagThenEnvironmentThenFileThenDefault() throws IOException {
        Path dir = temp.resolve("data");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("extensa.conf"), "gateway.port = 7001\n");
        Map<String, String> env = Map.of(ConfigKeys.ENV_PORT, "7002");

        assertThat(resolve(dataDirOnly(dir), Map.of()).gatewayPort()).isEqualTo(7001);
        assertThat(resolve(dataDirOnly(dir), env).gatewayPort()).isEqualTo(7002);
        var withFlag = new ConfigResolver.Flags(Optional.of(dir), OptionalInt.of(7003), Optional.empty(), Optional.empty());
        assertThat(resolve(withFlag, env).gatewayPort()).isEqualTo(7003);
    }

    @Test
    void postgresUrlPrecedence() throws IOException {
        Path dir = temp.resolve("data");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("extensa.conf"), "postgres.url = postgresql://filehost:1111\n");

        assertThat(resolve(dataDirOnly(dir), Map.of()).externalPostgres().orElseThrow().address())
                .isEqualTo(new BackendAddress.Tcp("filehost", 1111));
        assertThat(resolve(dataDirOnly(dir), Map.of(ConfigKeys.ENV_POSTGRES_URL, "postgresql://envhost:2222"))
                .externalPostgres().orElseThrow().address()).isEqualTo(new BackendAddress.Tcp("envhost", 2222));
        var flags = new ConfigResolver.Flags(Optional.of(dir), OptionalInt.empty(),
                Optional.of("postgresql://flaghost:3333"), Optional.empty());
        assertThat(resolve(flags, Map.of(ConfigKeys.ENV_POSTGRES_URL, "postgresql://envhost:2222"))
                .externalPostgres().orElseThrow().address()).isEqualTo(new BackendAddress.Tcp("flaghost", 3333));
    }

    @Test
    void explicitConfigFileReplacesTheDataDirectoryOneAndAnchorsRelativePaths() throws IOException {
        Path dir = temp.resolve("data");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("extensa.conf"), "gateway.port = 7001\n");
        Path etc = temp.resolve("etc");
        Files.createDirectories(etc);
        Path file = etc.resolve("custom.conf");
        Files.writeString(file, """
                # comment
                gateway.listen = 127.0.0.2
                tls.certificate = certs/server.crt
                tls.key = /abs/server.key
                postgres.bin-dir = pg/bin
                postgres.account = pgrunner
                log.level = debug
                launchpad.pool.size = 4
                language.python.executable = /usr/bin/python3
                """);
        var flags = new ConfigResolver.Flags(Optional.of(dir), OptionalInt.empty(), Optional.empty(), Optional.of(file));

        ServerConfig config = resolve(flags, Map.of());

        assertThat(config.gatewayPort()).isEqualTo(5433);
        assertThat(config.listenHost()).isEqualTo("127.0.0.2");
        assertThat(config.tls().orElseThrow().certificate()).isEqualTo(etc.resolve("certs/server.crt"));
        assertThat(config.tls().orElseThrow().key()).isEqualTo(Path.of("/abs/server.key"));
        assertThat(config.postgresBinDir()).contains(etc.resolve("pg/bin"));
        assertThat(config.postgresAccount()).isEqualTo("pgrunner");
        assertThat(config.logLevel()).isEqualTo("DEBUG");
        assertThat(config.launchpadSettings()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "launchpad.pool.size", "4", "language.python.executable", "/usr/bin/python3"));
    }

    @Test
    void adminPasswordComesFromTheEnvironment() {
        assertThat(resolve(ConfigResolver.Flags.none(), Map.of(ConfigKeys.ENV_ADMIN_PASSWORD, "s3cret")).adminPassword())
                .contains("s3cret");
        assertThat(resolve(ConfigResolver.Flags.none(), Map.of(ConfigKeys.ENV_ADMIN_PASSWORD, "  ")).adminPassword())
                .isEmpty();
    }

    @Test
    void unknownKeysAreErrorsSoTyposSurface() throws IOException {
        Path dir = temp.resolve("data");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("extensa.conf"), "gatway.port = 1\n");

        assertThatThrownBy(() -> resolve(dataDirOnly(dir), Map.of()))
                .isInstanceOf(ExtensaException.class)
                .hasMessageContaining("unknown key 'gatway.port'")
                .hasMessageContaining("gateway.port");
    }

    @Test
    void badValuesNameTheirSource() throws IOException {
        Path dir = temp.resolve("data");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("extensa.conf"), "gateway.port = many\n");

        assertThatThrownBy(() -> resolve(dataDirOnly(dir), Map.of()))
                .hasMessageContaining("invalid port 'many' in gateway.port in " + dir.resolve("extensa.conf"));
        assertThatThrownBy(() -> resolve(ConfigResolver.Flags.none(), Map.of(ConfigKeys.ENV_PORT, "70000")))
                .hasMessageContaining("EXTENSA_PORT");
        var flags = new ConfigResolver.Flags(Optional.empty(), OptionalInt.of(-1), Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> resolve(flags, Map.of())).hasMessageContaining("--port");
    }

    @Test
    void tlsNeedsBothFiles() throws IOException {
        Path dir = temp.resolve("data");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("extensa.conf"), "tls.certificate = a.crt\n");

        assertThatThrownBy(() -> resolve(dataDirOnly(dir), Map.of())).hasMessageContaining("tls.key");
    }

    @Test
    void invalidLogLevelIsRejected() throws IOException {
        Path dir = temp.resolve("data");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("extensa.conf"), "log.level = loud\n");

        assertThatThrownBy(() -> resolve(dataDirOnly(dir), Map.of())).hasMessageContaining("DEBUG, ERROR, INFO");
    }

    @Test
    void missingExplicitConfigFileIsAnError() {
        var flags = new ConfigResolver.Flags(Optional.empty(), OptionalInt.empty(), Optional.empty(),
                Optional.of(temp.resolve("absent.conf")));

        assertThatThrownBy(() -> resolve(flags, Map.of())).hasMessageContaining("does not exist");
    }
}
