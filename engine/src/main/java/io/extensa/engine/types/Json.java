package io.extensa.engine.types;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * JSON as PostgreSQL reads it: {@link #validate} checks text the way json_in does (the json type
 * keeps the text as is), {@link #writeJsonb} prints it the way jsonb_out does (keys sorted by
 * length then bytes, the last of duplicate keys kept, numbers as numeric_out prints them,
 * {@code ", "} and {@code ": "} separators, strings re-escaped).
 */
final class Json {

    /** Nesting beyond this is refused instead of risking the stack. */
    static final int MAX_DEPTH = 2000;

    /** Why text is not JSON; the message follows PostgreSQL's details where it can. */
    static final class JsonException extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean unsupportedEscape;

        JsonException(String message, boolean unsupportedEscape) {
            super(message, null, false, false);
            this.unsupportedEscape = unsupportedEscape;
        }
    }

    private static final Object NULL = new Object();

    private record Member(byte[] key, Object value) {
    }

    private record Number(String canonical) {
    }

    private final ByteBuffer b;
    private final int end;
    private final boolean build;
    private int pos;

    private Json(ByteBuffer b, int from, int to, boolean build) {
        this.b = b;
        this.pos = from;
        this.end = to;
        this.build = build;
    }

    static void validate(ByteBuffer b, int from, int to) throws JsonException {
        Json parser = new Json(b, from, to, false);
        parser.document();
    }

    static void writeJsonb(ByteBuffer b, int from, int to, FieldBuffer out) throws JsonException {
        Json parser = new Json(b, from, to, true);
        Object value = parser.document();
        write(value, out);
    }

    private Object document() throws JsonException {
        skipSpace();
        Object value = value(0);
        skipSpace();
        if (pos != end) {
            throw fail("Expected end of input, but found " + token() + ".");
        }
        return value;
    }

    private Object value(int depth) throws JsonException {
        if (depth > MAX_DEPTH) {
            throw fail("JSON nested deeper than " + MAX_DEPTH + " levels.");
        }
        if (pos >= end) {
            throw fail("The input string ended unexpectedly.");
        }
        byte c = b.get(pos);
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw fail("Token " + token() + " is invalid.");
        }
    }

    private Object object(int depth) throws JsonException {
        pos++;
        List<Member> members = build ? new MemberList() : null;
        skipSpace();
        if (pos < end && b.get(pos) == '}') {
            pos++;
            return members;
        }
        while (true) {
            skipSpace();
            if (pos >= end || b.get(pos) != '"') {
                throw fail(pos >= end ? "The input string ended unexpectedly."
                        : "Expected string, but found " + token() + ".");
            }
            byte[] key = string();
            skipSpace();
            if (pos >= end || b.get(pos) != ':') {
                throw fail(pos >= end ? "The input string ended unexpectedly."
                        : "Expected \":\", but found " + token() + ".");
            }
            pos++;
            skipSpace();
            Object value = value(depth + 1);
            if (build) {
                members.add(new Member(key, value));
            }
            skipSpace();
            if (pos >= end) {
                throw fail("The input string ended unexpectedly.");
            }
            byte c = b.get(pos++);
            if (c == '}') {
                return build ? normalize(members) : null;
            }
            if (c != ',') {
                pos--;
                throw fail("Expected \",\" or \"}\", but found " + token() + ".");
            }
        }
    }

    private Object array(int depth) throws JsonException {
        pos++;
        List<Object> items = build ? new ArrayList<>() : null;
        skipSpace();
        if (pos < end && b.get(pos) == ']') {
            pos++;
            return build ? items : null;
        }
        while (true) {
            skipSpace();
            Object value = value(depth + 1);
            if (build) {
                items.add(value);
            }
            skipSpace();
            if (pos >= end) {
                throw fail("The input string ended unexpectedly.");
            }
            byte c = b.get(pos++);
            if (c == ']') {
                return build ? items : null;
            }
            if (c != ',') {
                pos--;
                throw fail("Expected \",\" or \"]\", but found " + token() + ".");
            }
        }
    }

    /** jsonb's object order: shorter keys first, equal lengths by bytes; the last duplicate wins. */
    private static MemberList normalize(List<Member> members) {
        List<Member> sorted = new ArrayList<>(members);
        // a stable sort keeps duplicates in input order, so the last one is the survivor
        sorted.sort((x, y) -> {
            if (x.key.length != y.key.length) {
                return Integer.compare(x.key.length, y.key.length);
            }
            return Arrays.compareUnsigned(x.key, y.key);
        });
        MemberList unique = new MemberList();
        for (Member m : sorted) {
            if (!unique.isEmpty() && Arrays.equals(unique.get(unique.size() - 1).key, m.key)) {
                unique.set(unique.size() - 1, m);
            } else {
                unique.add(m);
            }
        }
        return unique;
    }

    /** A string; its unescaped UTF-8 bytes when building. */
    private byte[] string() throws JsonException {
        pos++;
        ByteArrayOutputStream out = build ? new ByteArrayOutputStream() : null;
        int highSurrogate = -1;
        while (true) {
            if (pos >= end) {
                throw fail("The input string ended unexpectedly.");
            }
            int c = b.get(pos) & 0xFF;
            if (c == '"') {
                pos++;
                if (highSurrogate != -1) {
                    throw fail("Unicode low surrogate must follow a high surrogate.");
                }
                return build ? out.toByteArray() : null;
            }
            if (c < 0x20) {
                throw fail("Character with value 0x" + String.format("%02x", c) + " must be escaped.");
            }
            if (c != '\\') {
                if (highSurrogate != -1) {
                    throw fail("Unicode low surrogate must follow a high surrogate.");
                }
                if (build) {
                    out.write(c);
                }
                pos++;
                continue;
            }
            pos++;
            if (pos >= end) {
                throw fail("The input string ended unexpectedly.");
            }
            int e = b.get(pos++) & 0xFF;
            if (e == 'u') {
                int code = 0;
                for (int k = 0; k < 4; k++) {
                    int d = pos < end ? Character.digit(b.get(pos), 16) : -1;
                    if (d < 0) {
                        throw fail("\"\\u\" must be followed by four hexadecimal digits.");
                    }
                    code = code * 16 + d;
                    pos++;
                }
                if (!build) {
                    // json_in checks only the four hex digits; pairing matters when text is made (jsonb)
                    continue;
                }
                if (code >= 0xD800 && code <= 0xDBFF) {
                    if (highSurrogate != -1) {
                        throw fail("Unicode high surrogate must not follow a high surrogate.");
                    }
                    highSurrogate = code;
                    continue;
                }
                if (code >= 0xDC00 && code <= 0xDFFF) {
                    if (highSurrogate == -1) {
                        throw fail("Unicode low surrogate must follow a high surrogate.");
                    }
                    code = Character.toCodePoint((char) highSurrogate, (char) code);
                    highSurrogate = -1;
                } else if (highSurrogate != -1) {
                    throw fail("Unicode low surrogate must follow a high surrogate.");
                }
                if (build) {
                    if (code == 0) {
                        throw new JsonException("\\u0000 cannot be converted to text.", true);
                    }
                    byte[] utf8 = new String(Character.toChars(code)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    out.write(utf8, 0, utf8.length);
                }
                continue;
            }
            if (highSurrogate != -1) {
                throw fail("Unicode low surrogate must follow a high surrogate.");
            }
            int unescaped = switch (e) {
                case '"' -> '"';
                case '\\' -> '\\';
                case '/' -> '/';
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                default -> -1;
            };
            if (unescaped < 0) {
                pos -= 2;
                throw fail("Escape sequence \"\\" + (char) e + "\" is invalid.");
            }
            if (build) {
                out.write(unescaped);
            }
        }
    }

    /** -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
    private Object number() throws JsonException {
        int start = pos;
        if (b.get(pos) == '-') {
            pos++;
        }
        if (pos >= end || !isDigit(b.get(pos))) {
            throw fail("Token " + tokenFrom(start) + " is invalid.");
        }
        if (b.get(pos) == '0') {
            pos++;
        } else {
            while (pos < end && isDigit(b.get(pos))) {
                pos++;
            }
        }
        if (pos < end && b.get(pos) == '.') {
            pos++;
            if (pos >= end || !isDigit(b.get(pos))) {
                throw fail("Token " + tokenFrom(start) + " is invalid.");
            }
            while (pos < end && isDigit(b.get(pos))) {
                pos++;
            }
        }
        if (pos < end && (b.get(pos) == 'e' || b.get(pos) == 'E')) {
            pos++;
            if (pos < end && (b.get(pos) == '+' || b.get(pos) == '-')) {
                pos++;
            }
            if (pos >= end || !isDigit(b.get(pos))) {
                throw fail("Token " + tokenFrom(start) + " is invalid.");
            }
            while (pos < end && isDigit(b.get(pos))) {
                pos++;
            }
        }
        if (pos < end && isWordChar(b.get(pos))) {
            throw fail("Token " + tokenFrom(start) + " is invalid.");
        }
        if (!build) {
            return null;
        }
        DecimalValue decimal = new DecimalValue();
        if (decimal.parse(b, start, pos) != DecimalValue.ParseResult.OK) {
            throw new JsonException("value overflows numeric format", false);
        }
        return new Number(decimal.toString());
    }

    private void literal(String word) throws JsonException {
        int start = pos;
        for (int i = 0; i < word.length(); i++) {
            if (pos >= end || b.get(pos) != word.charAt(i)) {
                pos = start;
                throw fail("Token " + token() + " is invalid.");
            }
            pos++;
        }
        if (pos < end && isWordChar(b.get(pos))) {
            pos = start;
            throw fail("Token " + token() + " is invalid.");
        }
    }

    private void skipSpace() {
        while (pos < end) {
            byte c = b.get(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWordChar(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c < 0;
    }

    private String token() {
        return tokenFrom(pos);
    }

    /** The offending token as PostgreSQL quotes it: up to the next delimiter. */
    private String tokenFrom(int start) {
        int i = start;
        if (i < end && !isWordChar(b.get(i)) && b.get(i) != '-') {
            i++;
        } else {
            while (i < end && (isWordChar(b.get(i)) || b.get(i) == '-' || b.get(i) == '.' || b.get(i) == '+')) {
                i++;
            }
        }
        return "\"" + TextParsers.text(b, start, Math.max(i, Math.min(start + 1, end))) + "\"";
    }

    private JsonException fail(String detail) {
        return new JsonException(detail, false);
    }

    private static void write(Object value, FieldBuffer out) {
        if (value == NULL) {
            out.putAscii("null");
        } else if (value instanceof Boolean bool) {
            out.putAscii(bool ? "true" : "false");
        } else if (value instanceof Number number) {
            out.putAscii(number.canonical());
        } else if (value instanceof byte[] string) {
            writeString(string, out);
        } else {
            List<?> list = (List<?>) value;
            if (list instanceof MemberList) {
                out.putByte('{');
                for (int i = 0; i < list.size(); i++) {
                    Member m = (Member) list.get(i);
                    if (i > 0) {
                        out.putAscii(", ");
                    }
                    writeString(m.key, out);
                    out.putAscii(": ");
                    write(m.value, out);
                }
                out.putByte('}');
            } else {
                out.putByte('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.putAscii(", ");
                    }
                    write(list.get(i), out);
                }
                out.putByte(']');
            }
        }
    }

    /** Marks an empty object, which has no members to tell it from an empty array. */
    private static final class MemberList extends ArrayList<Member> {
        private static final long serialVersionUID = 1L;
    }

    /** PostgreSQL's escape_json. */
    private static void writeString(byte[] s, FieldBuffer out) {
        out.putByte('"');
        for (byte raw : s) {
            int c = raw & 0xFF;
            switch (c) {
                case '\b' -> out.putAscii("\\b");
                case '\f' -> out.putAscii("\\f");
                case '\n' -> out.putAscii("\\n");
                case '\r' -> out.putAscii("\\r");
                case '\t' -> out.putAscii("\\t");
                case '"' -> out.putAscii("\\\"");
                case '\\' -> out.putAscii("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.putAscii("\\u00");
                        out.putByte(Character.forDigit(c >> 4, 16));
                        out.putByte(Character.forDigit(c & 0xF, 16));
                    } else {
                        out.putByte(c);
                    }
                }
            }
        }
        out.putByte('"');
    }
}
