/*
 * Tagged fields (docs/protocol.md section 4) decoded in C: the field headers of a payload or
 * struct value, and whole structs decoded by a message schema into the named lists the R code
 * works with. R walking headers with one readBin per field cost about a millisecond per message
 * (a FORK on the fork server's critical path took several); here a message takes microseconds.
 *
 * Every header is checked against the bytes that remain before anything is read, so a hostile
 * length never reads beyond the payload. Failures come back as a message (a string) that the R
 * side raises as a protocol error with its context; nothing here calls Rf_error for bad input.
 */
#include "extensa_native.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const KIND_NAMES[] = {"?", "INT", "FLOAT", "BOOL", "TEXT", "BYTES", "STRUCT"};

typedef struct {
    uint32_t tag;
    uint32_t kind;
    uint32_t flags;
    size_t offset;
    size_t length;
} Header;

static uint32_t get_u32(const unsigned char *at) {
    return (uint32_t) at[0] | (uint32_t) at[1] << 8 | (uint32_t) at[2] << 16 | (uint32_t) at[3] << 24;
}

static uint64_t get_u64(const unsigned char *at) {
    return (uint64_t) get_u32(at) | (uint64_t) get_u32(at + 4) << 32;
}

/* Whether bytes are UTF-8 as RFC 3629 defines it (no overlong forms, surrogates or values beyond U+10FFFF). */
int ext_utf8_valid(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            low = b == 0xE0 ? 0xA0 : 0x80;
            high = b == 0xED ? 0x9F : 0xBF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            low = b == 0xF0 ? 0x90 : 0x80;
            high = b == 0xF4 ? 0x8F : 0xBF;
        } else {
            return 0;
        }
        if (n - i <= need || s[i + 1] < low || s[i + 1] > high) {
            return 0;
        }
        for (size_t k = 2; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return 0;
            }
        }
        i += need + 1;
    }
    return 1;
}

/*
 * Walks the headers between start and end: their number into *count and, when out is not NULL,
 * the headers into out. Returns 0 with a message naming the first bad header in `problem`.
 */
static int walk(const unsigned char *bytes, size_t start, size_t end, Header *out, size_t *count, char *problem,
                size_t problem_size) {
    size_t n = 0;
    size_t pos = start;
    while (pos < end) {
        if (end - pos < 8) {
            snprintf(problem, problem_size, "truncated field header (%.0f bytes left)", (double) (end - pos));
            return 0;
        }
        uint32_t word = get_u32(bytes + pos);
        uint32_t length = get_u32(bytes + pos + 4);
        Header h = {word & 0xFFFF, (word >> 16) & 0xFF, word >> 24, pos + 8, length};
        pos += 8;
        if (h.kind < KIND_INT || h.kind > KIND_STRUCT) {
            snprintf(problem, problem_size, "field %u has unknown kind %u", h.tag, h.kind);
            return 0;
        }
        size_t padded = (h.length + 7) / 8 * 8;
        if (padded > end - pos) {
            snprintf(problem, problem_size, "field %u claims %.0f bytes but only %.0f remain", h.tag, (double) h.length,
                     (double) (end - pos));
            return 0;
        }
        if (((h.kind == KIND_INT || h.kind == KIND_FLOAT) && h.length != 8) || (h.kind == KIND_BOOL && h.length != 1)) {
            snprintf(problem, problem_size, "%s field %u has length %.0f", KIND_NAMES[h.kind], h.tag, (double) h.length);
            return 0;
        }
        if (out != NULL) {
            out[n] = h;
        }
        n++;
        pos += padded;
    }
    *count = n;
    return 1;
}

/*
 * The headers between start and end (R_alloc'd, so released with the .Call even on an R error;
 * *count of them), or NULL with a message in `problem`.
 */
static Header *headers_of(const unsigned char *bytes, size_t start, size_t end, size_t *count, char *problem,
                          size_t problem_size) {
    if (!walk(bytes, start, end, NULL, count, problem, problem_size)) {
        return NULL;
    }
    Header *headers = (Header *) R_alloc(*count > 0 ? *count : 1, sizeof(Header));
    walk(bytes, start, end, headers, count, problem, problem_size);
    return headers;
}

static int range_ok(SEXP payload, double start, double end) {
    return TYPEOF(payload) == RAWSXP && start >= 0 && end >= start && end <= (double) XLENGTH(payload);
}

/*
 * ext_field_headers(payload, start, end): the headers as a 5-row numeric matrix (tag, kind, flags,
 * offset of the value, length), or a string naming the first bad one.
 */
SEXP ext_field_headers(SEXP payload, SEXP start_value, SEXP end_value) {
    double start = Rf_asReal(start_value);
    double end = Rf_asReal(end_value);
    if (!range_ok(payload, start, end)) {
        Rf_error("field range out of bounds");
    }
    size_t count;
    char problem[256];
    Header *headers = headers_of(RAW(payload), (size_t) start, (size_t) end, &count, problem, sizeof problem);
    if (headers == NULL) {
        return Rf_mkString(problem);
    }
    SEXP matrix = PROTECT(Rf_allocMatrix(REALSXP, 5, (int) count));
    double *cells = REAL(matrix);
    for (size_t i = 0; i < count; i++) {
        cells[i * 5] = headers[i].tag;
        cells[i * 5 + 1] = headers[i].kind;
        cells[i * 5 + 2] = headers[i].flags;
        cells[i * 5 + 3] = (double) headers[i].offset;
        cells[i * 5 + 4] = (double) headers[i].length;
    }
    UNPROTECT(1);
    return matrix;
}

/* ---- whole structs ----------------------------------------------------------------------------- */

typedef struct {
    SEXP payload;
    SEXP schemas;      /* the environment of schemas, for nested structs named by schema */
    SEXP buffer;       /* what BYTES slices refer to */
    SEXP slice_names;  /* c("buffer", "offset", "length") */
    SEXP slice_class;  /* "extensa_slice" */
    char problem[512];
} Decoder;

static SEXP make_slice(Decoder *d, const Header *h) {
    SEXP slice = PROTECT(Rf_allocVector(VECSXP, 3));
    SET_VECTOR_ELT(slice, 0, d->buffer);
    SET_VECTOR_ELT(slice, 1, Rf_ScalarReal((double) h->offset));
    SET_VECTOR_ELT(slice, 2, Rf_ScalarReal((double) h->length));
    Rf_setAttrib(slice, R_NamesSymbol, d->slice_names);
    Rf_setAttrib(slice, R_ClassSymbol, d->slice_class);
    UNPROTECT(1);
    return slice;
}

static SEXP decode_in(Decoder *d, size_t start, size_t end, SEXP schema, const char *context);

/* One value; NULL with d->problem set when it breaks the rules. */
static SEXP decode_one(Decoder *d, const Header *h, SEXP schema, int index, const char *context) {
    const unsigned char *at = RAW(d->payload) + h->offset;
    switch (h->kind) {
    case KIND_INT:
        return Rf_ScalarReal((double) (int64_t) get_u64(at));
    case KIND_FLOAT: {
        double value;
        memcpy(&value, at, sizeof value);
        return Rf_ScalarReal(value);
    }
    case KIND_BOOL:
        if (at[0] > 1) {
            snprintf(d->problem, sizeof d->problem, "%s: BOOL field %u holds %d", context, h->tag, at[0]);
            return NULL;
        }
        return Rf_ScalarLogical(at[0]);
    case KIND_TEXT:
        if (memchr(at, 0, h->length) != NULL || !ext_utf8_valid(at, h->length)) {
            snprintf(d->problem, sizeof d->problem, "%s: TEXT field %u is not valid UTF-8 (or holds U+0000)", context,
                     h->tag);
            return NULL;
        }
        return Rf_ScalarString(Rf_mkCharLenCE((const char *) at, (int) h->length, CE_UTF8));
    case KIND_BYTES:
        return make_slice(d, h);
    default: {
        SEXP sub_name = STRING_ELT(VECTOR_ELT(schema, SCHEMA_SUBS), index);
        SEXP sub = Rf_findVarInFrame(d->schemas, Rf_install(CHAR(sub_name)));
        if (sub == R_UnboundValue) {
            Rf_error("no schema named %s", CHAR(sub_name));
        }
        char nested[512];
        snprintf(nested, sizeof nested, "%s.%s", context, CHAR(STRING_ELT(VECTOR_ELT(schema, SCHEMA_NAMES), index)));
        return decode_in(d, h->offset, h->offset + h->length, sub, nested);
    }
    }
}

/* A struct's named list (fields in the order they first appear); NULL with d->problem set. */
static SEXP decode_in(Decoder *d, size_t start, size_t end, SEXP schema, const char *context) {
    SEXP compiled = schema;
    const int *tags = INTEGER(VECTOR_ELT(compiled, SCHEMA_TAGS));
    const int *kinds = INTEGER(VECTOR_ELT(compiled, SCHEMA_KINDS));
    SEXP names = VECTOR_ELT(compiled, SCHEMA_NAMES);
    const int *repeated = LOGICAL(VECTOR_ELT(compiled, SCHEMA_REPEATED));
    const int *required = LOGICAL(VECTOR_ELT(compiled, SCHEMA_REQUIRED));
    int fields = Rf_length(VECTOR_ELT(compiled, SCHEMA_TAGS));

    size_t count;
    char problem[256];
    Header *headers = headers_of(RAW(d->payload), start, end, &count, problem, sizeof problem);
    if (headers == NULL) {
        snprintf(d->problem, sizeof d->problem, "%s: %s", context, problem);
        return NULL;
    }
    /* which schema field each header is (-1: unknown, skipped), how often each field occurs */
    int *field_of = (int *) R_alloc(count > 0 ? count : 1, sizeof(int));
    int *seen = (int *) R_alloc((size_t) (fields > 0 ? fields : 1), sizeof(int));
    int *order = (int *) R_alloc((size_t) (fields > 0 ? fields : 1), sizeof(int));
    memset(seen, 0, sizeof(int) * (size_t) (fields > 0 ? fields : 1));
    int present = 0;
    for (size_t i = 0; i < count; i++) {
        field_of[i] = -1;
        for (int f = 0; f < fields; f++) {
            if ((uint32_t) tags[f] == headers[i].tag) {
                field_of[i] = f;
                break;
            }
        }
        int f = field_of[i];
        if (f < 0) {
            if (headers[i].flags % 2 == 1) {
                snprintf(d->problem, sizeof d->problem, "%s: unknown critical field %u", context, headers[i].tag);
                return NULL;
            }
            continue;
        }
        if ((uint32_t) kinds[f] != headers[i].kind) {
            snprintf(d->problem, sizeof d->problem, "%s: field %u (%s) should be %s but is %s", context, headers[i].tag,
                     CHAR(STRING_ELT(names, f)), KIND_NAMES[kinds[f]], KIND_NAMES[headers[i].kind]);
            return NULL;
        }
        if (seen[f] > 0 && !repeated[f]) {
            snprintf(d->problem, sizeof d->problem, "%s: field %u (%s) repeated", context, headers[i].tag,
                     CHAR(STRING_ELT(names, f)));
            return NULL;
        }
        if (seen[f]++ == 0) {
            order[present++] = f;
        }
    }
    for (int f = 0; f < fields; f++) {
        if (required[f] && seen[f] == 0) {
            snprintf(d->problem, sizeof d->problem, "%s: missing field %d (%s)", context, tags[f], CHAR(STRING_ELT(names, f)));
            return NULL;
        }
    }

    SEXP out = PROTECT(Rf_allocVector(VECSXP, present));
    SEXP out_names = PROTECT(Rf_allocVector(STRSXP, present));
    int *slot = (int *) R_alloc((size_t) (fields > 0 ? fields : 1), sizeof(int));
    int *filled = (int *) R_alloc((size_t) (fields > 0 ? fields : 1), sizeof(int));
    for (int k = 0; k < present; k++) {
        int f = order[k];
        slot[f] = k;
        filled[f] = 0;
        SET_STRING_ELT(out_names, k, STRING_ELT(names, f));
        if (repeated[f]) {
            SET_VECTOR_ELT(out, k, Rf_allocVector(VECSXP, seen[f]));
        }
    }
    for (size_t i = 0; i < count; i++) {
        int f = field_of[i];
        if (f < 0) {
            continue;
        }
        SEXP value = decode_one(d, &headers[i], schema, f, context);
        if (value == NULL) {
            UNPROTECT(2);
            return NULL;
        }
        if (repeated[f]) {
            SET_VECTOR_ELT(VECTOR_ELT(out, slot[f]), filled[f]++, value);
        } else {
            SET_VECTOR_ELT(out, slot[f], value);
        }
    }
    if (present > 0) {
        Rf_setAttrib(out, R_NamesSymbol, out_names);
    }
    UNPROTECT(2);
    return out;
}

/*
 * ext_decode_struct(payload, start, end, compiled schema, schemas, context, buffer): the struct
 * between start and end as a named list (absent fields missing, repeated fields lists, BYTES
 * values slices of `buffer`, STRUCT values nested lists), or a string naming what is wrong.
 */
SEXP ext_decode_struct(SEXP payload, SEXP start_value, SEXP end_value, SEXP schema, SEXP schemas, SEXP context,
                       SEXP buffer) {
    double start = Rf_asReal(start_value);
    double end = Rf_asReal(end_value);
    if (!range_ok(payload, start, end)) {
        Rf_error("struct range out of bounds");
    }
    Decoder d;
    d.payload = payload;
    d.schemas = schemas;
    d.buffer = buffer;
    d.slice_names = PROTECT(Rf_allocVector(STRSXP, 3));
    SET_STRING_ELT(d.slice_names, 0, Rf_mkChar("buffer"));
    SET_STRING_ELT(d.slice_names, 1, Rf_mkChar("offset"));
    SET_STRING_ELT(d.slice_names, 2, Rf_mkChar("length"));
    d.slice_class = PROTECT(Rf_mkString("extensa_slice"));
    d.problem[0] = '\0';
    SEXP out = decode_in(&d, (size_t) start, (size_t) end, schema, Rf_translateCharUTF8(STRING_ELT(context, 0)));
    if (out == NULL) {
        UNPROTECT(2);
        return Rf_mkString(d.problem);
    }
    UNPROTECT(2);
    return out;
}

/* ---- reading values at an offset ---------------------------------------------------------------- */

/*
 * ext_read_at(payload, offset, what, n, size, big_endian, signed): n values from the payload at
 * offset, as readBin would read them from a connection positioned there: what 0 raw, 1 integer
 * (size 1, 2 or 4; signed or not), 2 double (size 4 or 8).
 */
SEXP ext_read_at(SEXP payload, SEXP offset_value, SEXP what_value, SEXP n_value, SEXP size_value, SEXP big_endian_value,
                 SEXP signed_value) {
    double offset = Rf_asReal(offset_value);
    int what = Rf_asInteger(what_value);
    double n = Rf_asReal(n_value);
    int size = what == 0 ? 1 : Rf_asInteger(size_value);
    int big = Rf_asLogical(big_endian_value) == TRUE;
    int is_signed = Rf_asLogical(signed_value) != FALSE;
    if ((what == 1 && size != 1 && size != 2 && size != 4) || (what == 2 && size != 4 && size != 8)
        || what < 0 || what > 2) {
        Rf_error("cannot read values of %d bytes as kind %d", size, what);
    }
    if (TYPEOF(payload) != RAWSXP || offset < 0 || n < 0 || offset + n * size > (double) XLENGTH(payload)) {
        Rf_error("read of %.0f values of %d bytes at %.0f is out of bounds", n, size, offset);
    }
    const unsigned char *at = RAW(payload) + (size_t) offset;
    R_xlen_t count = (R_xlen_t) n;
    if (what == 0) {
        SEXP out = Rf_allocVector(RAWSXP, count);
        memcpy(RAW(out), at, (size_t) count);
        return out;
    }
    if (what == 2) {
        SEXP out = Rf_allocVector(REALSXP, count);
        double *values = REAL(out);
        if (size == 8 && !big) {
            memcpy(values, at, sizeof(double) * (size_t) count);
            return out;
        }
        for (R_xlen_t i = 0; i < count; i++) {
            unsigned char word[8];
            for (int k = 0; k < size; k++) {
                word[k] = big ? at[i * size + size - 1 - k] : at[i * size + k];
            }
            if (size == 4) {
                float f;
                memcpy(&f, word, sizeof f);
                values[i] = (double) f;
            } else {
                memcpy(&values[i], word, sizeof(double));
            }
        }
        return out;
    }
    SEXP out = Rf_allocVector(INTSXP, count);
    int *values = INTEGER(out);
    if (size == 4 && !big) {
        memcpy(values, at, sizeof(int) * (size_t) count);
        return out;
    }
    for (R_xlen_t i = 0; i < count; i++) {
        uint32_t v = 0;
        for (int k = 0; k < size; k++) {
            unsigned char b = big ? at[i * size + k] : at[i * size + size - 1 - k];
            v = v << 8 | b;
        }
        if (size == 4) {
            values[i] = (int) v;
        } else if (is_signed && (v & (1u << (size * 8 - 1)))) {
            values[i] = (int) v - (int) (1u << (size * 8));
        } else {
            values[i] = (int) v;
        }
    }
    return out;
}

/*
 * ext_check_offsets(payload, at, bytes, rows, end, validity): checks the int32 offsets of a
 * variable-length column, `bytes` of them at payload[at..]: rows + 1 of them, from 0, never
 * decreasing, ending at `end`, zero-length rows where the validity says NULL. NULL, or a string
 * naming the first problem (the R check_offsets' words).
 */
SEXP ext_check_offsets(SEXP payload, SEXP at_value, SEXP bytes_value, SEXP rows_value, SEXP end_value, SEXP validity) {
    double at = Rf_asReal(at_value);
    double bytes = Rf_asReal(bytes_value);
    double rows = Rf_asReal(rows_value);
    double end = Rf_asReal(end_value);
    char problem[256];
    if (!range_ok(payload, at, at + bytes)) {
        Rf_error("offsets out of bounds");
    }
    if (fmod(bytes, 4) != 0) {
        snprintf(problem, sizeof problem, "offsets length %.0f is not a multiple of 4", bytes);
        return Rf_mkString(problem);
    }
    if (bytes / 4 != rows + 1) {
        snprintf(problem, sizeof problem, "offsets have %.0f bytes, %.0f rows need %.0f", bytes, rows, (rows + 1) * 4);
        return Rf_mkString(problem);
    }
    const unsigned char *words = RAW(payload) + (size_t) at;
    const Rbyte *valid = Rf_isNull(validity) ? NULL : RAW(validity);
    R_xlen_t n = (R_xlen_t) rows;
    int32_t previous = 0;
    for (R_xlen_t i = 0; i <= n; i++) {
        int32_t offset = (int32_t) get_u32(words + 4 * i);
        if (i == 0 && offset == INT32_MIN) {
            return Rf_mkString("offsets go backwards");
        }
        if (i == 0 && offset != 0) {
            snprintf(problem, sizeof problem, "first offset is %d, not 0", offset);
            return Rf_mkString(problem);
        }
        if (offset < previous) {
            return Rf_mkString("offsets go backwards");
        }
        if (i > 0 && valid != NULL && valid[i - 1] == 0 && offset != previous) {
            return Rf_mkString("a NULL row has a value");
        }
        previous = offset;
    }
    if ((double) previous != end) {
        snprintf(problem, sizeof problem, "offsets end at %d but there are %.0f", previous, end);
        return Rf_mkString(problem);
    }
    return R_NilValue;
}
