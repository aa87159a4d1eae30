package io.extensa.server.config;

import io.extensa.pgwire.BackendAddress;
import io.extensa.server.ExtensaException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The address of an existing PostgreSQL, written as a libpq connection URI:
 * {@code postgresql://host[:port][/database]} for TCP, or a socket directory as host, either
 * percent-encoded ({@code postgresql://%2Fvar%2Frun%2Fpostgresql}) or as a query parameter
 * ({@code postgresql:///?host=/var/run/postgresql&port=5432}).
 *
 * <p>Only the address matters: the gateway relays each client's own user, database and
 * authentication, so a user name or password in the URI is rejected rather than silently ignored.
 */
public record PostgresUrl(String text, BackendAddress address) {

    public static final int DEFAULT_PORT = 5432;

    public static PostgresUrl parse(String text) {
        String trimmed = text.trim();
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw invalid(trimmed, e.getMessage());
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("postgresql") || scheme.equals("postgres"))) {
            throw invalid(trimmed, "expected postgresql://host:port or postgresql:///?host=/socket/dir");
        }
        if (uri.getRawUserInfo() != null) {
            throw invalid(trimmed, "leave out user and password: clients authenticate to PostgreSQL themselves"
                    + " through the gateway");
        }
        Map<String, String> query = query(uri.getRawQuery());
        String[] hostAndPort = hostAndPort(uri);
        String host = query.getOrDefault("host", hostAndPort[0]);
        int port = DEFAULT_PORT;
        String portText = query.getOrDefault("port", hostAndPort[1]);
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw invalid(trimmed, "port '" + portText + "' is not a number");
            }
            if (port < 1 || port > 65535) {
                throw invalid(trimmed, "port " + port + " is out of range");
            }
        }
        if (host == null || host.isEmpty()) {
            throw invalid(trimmed, "no host; give a host name or a socket directory (host=/var/run/postgresql)");
        }
        BackendAddress address = host.startsWith("/")
                ? BackendAddress.unixSocketInDirectory(Path.of(host), port)
                : new BackendAddress.Tcp(stripBrackets(host), port);
        return new PostgresUrl(trimmed, address);
    }

    /** {host or null, port text or null} from the authority part. */
    private static String[] hostAndPort(URI uri) {
        if (uri.getHost() != null) {
            return new String[] {uri.getHost(), uri.getPort() >= 0 ? Integer.toString(uri.getPort()) : null};
        }
        // URI leaves a percent-encoded socket directory in a registry-based authority: split it ourselves.
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            return new String[] {null, null};
        }
        int colon = authority.lastIndexOf(':');
        if (colon >= 0 && authority.indexOf(']') < colon) {
            return new String[] {URLDecoder.decode(authority.substring(0, colon), StandardCharsets.UTF_8),
                    authority.substring(colon + 1)};
        }
        return new String[] {URLDecoder.decode(authority, StandardCharsets.UTF_8), null};
    }

    private static Map<String, String> query(String raw) {
        var map = new LinkedHashMap<String, String>();
        if (raw == null || raw.isEmpty()) {
            return map;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            map.put(key, value);
        }
        return map;
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static ExtensaException invalid(String text, String why) {
        return new ExtensaException("invalid PostgreSQL URL '" + text + "': " + why);
    }

    @Override
    public String toString() {
        return text;
    }
}
