/*
 * Tagged fields (docs/protocol.md section 4) encoded in C, by the same compiled schemas fields.c
 * decodes with: a message's named list becomes its payload, fields in schema order, each value
 * padded to 8 bytes. R building every header and int64 with writeBin cost a good part of a
 * trivial job's time. The payload comes back as parts (raw vectors) for one gathering write:
 * headers and small values copied together, large raw values (an output batch's column data)
 * referenced as they are, never copied.
 */
#include "extensa_native.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* raw values from this size on are referenced by the parts instead of copied into them */
#define REFERENCED_BYTES 16384

typedef struct {
    SEXP value;         /* a raw vector */
    size_t at;          /* where in the copied bytes it goes */
} Reference;

typedef struct {
    unsigned char *bytes;   /* everything but the referenced values */
    size_t length;
    size_t capacity;
    Reference *references;
    size_t reference_count;
    size_t reference_capacity;
    size_t referenced;      /* bytes of the referenced values */
    SEXP schemas;
} Out;

static void reserve(Out *out, size_t more) {
    if (out->length + more <= out->capacity) {
        return;
    }
    size_t capacity = out->capacity ? out->capacity : 256;
    while (capacity < out->length + more) {
        capacity *= 2;
    }
    unsigned char *grown = realloc(out->bytes, capacity);
    if (grown == NULL) {
        free(out->bytes);
        out->bytes = NULL;
        Rf_error("out of memory encoding a message");
    }
    out->bytes = grown;
    out->capacity = capacity;
}

static void put_u32(unsigned char *at, uint32_t value) {
    at[0] = (unsigned char) value;
    at[1] = (unsigned char) (value >> 8);
    at[2] = (unsigned char) (value >> 16);
    at[3] = (unsigned char) (value >> 24);
}

static void put_header(Out *out, int tag, int kind, size_t length) {
    reserve(out, 8);
    put_u32(out->bytes + out->length, (uint32_t) tag | (uint32_t) kind << 16);
    put_u32(out->bytes + out->length + 4, (uint32_t) length);
    out->length += 8;
}

/* The payload's length so far, referenced values included. */
static size_t logical_length(const Out *out) {
    return out->length + out->referenced;
}

/* A large raw vector goes into the payload as a part of its own, then (pad) its padding. */
static void put_referenced(Out *out, SEXP value, int pad) {
    if (out->reference_count == out->reference_capacity) {
        size_t capacity = out->reference_capacity ? 2 * out->reference_capacity : 8;
        Reference *grown = realloc(out->references, sizeof *grown * capacity);
        if (grown == NULL) {
            Rf_error("out of memory encoding a message");
        }
        out->references = grown;
        out->reference_capacity = capacity;
    }
    size_t n = (size_t) XLENGTH(value);
    out->references[out->reference_count].value = value;
    out->references[out->reference_count].at = out->length;
    out->reference_count++;
    out->referenced += n;
    size_t padding = pad ? (8 - n % 8) % 8 : 0;
    reserve(out, padding);
    memset(out->bytes + out->length, 0, padding);
    out->length += padding;
}

static void put_padded(Out *out, const void *bytes, size_t n) {
    size_t padded = (n + 7) / 8 * 8;
    reserve(out, padded);
    if (n > 0) {
        memcpy(out->bytes + out->length, bytes, n);
    }
    memset(out->bytes + out->length + n, 0, padded - n);
    out->length += padded;
}

/*
 * The int64 word of a double as wire.R's int64_bytes makes it: integral values as they are,
 * infinities the extreme values, NaN and values beyond the range what R's halves give.
 */
uint64_t ext_int64_word(double v) {
    if (ISNAN(v)) {
        return 0x8000000080000000ULL;
    }
    if (v == R_PosInf) {
        return (uint64_t) INT64_MAX;
    }
    if (v >= 9223372036854775808.0 || v <= -9223372036854775808.0) {
        return (uint64_t) INT64_MIN;
    }
    return (uint64_t) (int64_t) v;
}

/* The bytes of a BYTES value: a raw vector, or a slice (list(buffer, offset, length)) of a payload. */
static const unsigned char *bytes_of(SEXP value, size_t *n) {
    if (TYPEOF(value) == RAWSXP) {
        *n = (size_t) XLENGTH(value);
        return RAW(value);
    }
    if (TYPEOF(value) == VECSXP && Rf_inherits(value, "extensa_slice")) {
        SEXP buffer = VECTOR_ELT(value, 0);
        double offset = Rf_asReal(VECTOR_ELT(value, 1));
        double length = Rf_asReal(VECTOR_ELT(value, 2));
        SEXP raw = Rf_findVarInFrame(buffer, Rf_install("raw"));
        if (TYPEOF(raw) != RAWSXP || offset < 0 || length < 0 || offset + length > (double) XLENGTH(raw)) {
            Rf_error("a slice out of its buffer");
        }
        *n = (size_t) length;
        return RAW(raw) + (size_t) offset;
    }
    Rf_error("a BYTES value must be a raw vector or a slice");
    return NULL;
}

static SEXP element_named(SEXP values, const char *name) {
    SEXP names = Rf_getAttrib(values, R_NamesSymbol);
    if (names == R_NilValue) {
        return R_NilValue;
    }
    R_xlen_t n = XLENGTH(values);
    for (R_xlen_t i = 0; i < n; i++) {
        if (strcmp(CHAR(STRING_ELT(names, i)), name) == 0) {
            return VECTOR_ELT(values, i);
        }
    }
    return R_NilValue;
}

static void encode_in(Out *out, SEXP schema, SEXP values);

static void encode_item(Out *out, SEXP schema, int f, SEXP item) {
    int tag = INTEGER(VECTOR_ELT(schema, SCHEMA_TAGS))[f];
    int kind = INTEGER(VECTOR_ELT(schema, SCHEMA_KINDS))[f];
    switch (kind) {
    case KIND_INT: {
        unsigned char word[8];
        uint64_t v = ext_int64_word(Rf_asReal(item));
        put_u32(word, (uint32_t) v);
        put_u32(word + 4, (uint32_t) (v >> 32));
        put_header(out, tag, kind, 8);
        put_padded(out, word, 8);
        break;
    }
    case KIND_FLOAT: {
        double v = Rf_asReal(item);
        put_header(out, tag, kind, 8);
        put_padded(out, &v, 8);
        break;
    }
    case KIND_BOOL: {
        unsigned char b = TYPEOF(item) == LGLSXP && XLENGTH(item) == 1 && LOGICAL(item)[0] == TRUE;
        put_header(out, tag, kind, 1);
        put_padded(out, &b, 1);
        break;
    }
    case KIND_TEXT: {
        if (TYPEOF(item) != STRSXP || XLENGTH(item) < 1) {
            Rf_error("field %d must be a string", tag);
        }
        const char *text = Rf_translateCharUTF8(STRING_ELT(item, 0));
        size_t n = strlen(text);
        put_header(out, tag, kind, n);
        put_padded(out, text, n);
        break;
    }
    case KIND_BYTES: {
        size_t n;
        const unsigned char *bytes = bytes_of(item, &n);
        put_header(out, tag, kind, n);
        if (TYPEOF(item) == RAWSXP && n >= REFERENCED_BYTES) {
            put_referenced(out, item, 1);
        } else {
            put_padded(out, bytes, n);
        }
        break;
    }
    default: {
        /* the length is known once the value is written: the header is filled in afterwards */
        put_header(out, tag, kind, 0);
        size_t header = out->length - 4;
        size_t start = logical_length(out);
        if (Rf_inherits(item, "extensa_parts")) {
            for (R_xlen_t i = 0; i < XLENGTH(item); i++) {
                SEXP part = VECTOR_ELT(item, i);
                if (TYPEOF(part) != RAWSXP) {
                    Rf_error("encoded parts must be raw vectors");
                }
                if (XLENGTH(part) >= REFERENCED_BYTES) {
                    put_referenced(out, part, 0);
                    continue;
                }
                reserve(out, (size_t) XLENGTH(part));
                memcpy(out->bytes + out->length, RAW(part), (size_t) XLENGTH(part));
                out->length += (size_t) XLENGTH(part);
            }
        } else {
            SEXP sub_name = STRING_ELT(VECTOR_ELT(schema, SCHEMA_SUBS), f);
            SEXP sub = Rf_findVarInFrame(out->schemas, Rf_install(CHAR(sub_name)));
            if (sub == R_UnboundValue) {
                Rf_error("no schema named %s", CHAR(sub_name));
            }
            encode_in(out, sub, item);
        }
        put_u32(out->bytes + header, (uint32_t) (logical_length(out) - start));
        break;
    }
    }
}

static void encode_in(Out *out, SEXP schema, SEXP values) {
    SEXP names = VECTOR_ELT(schema, SCHEMA_NAMES);
    const int *repeated = LOGICAL(VECTOR_ELT(schema, SCHEMA_REPEATED));
    int fields = Rf_length(names);
    if (values != R_NilValue && TYPEOF(values) != VECSXP) {
        Rf_error("a struct's values must be a list");
    }
    for (int f = 0; f < fields; f++) {
        SEXP value = values == R_NilValue ? R_NilValue : element_named(values, CHAR(STRING_ELT(names, f)));
        if (value == R_NilValue) {
            continue;
        }
        if (repeated[f]) {
            if (TYPEOF(value) != VECSXP) {
                Rf_error("repeated field %s must be a list", CHAR(STRING_ELT(names, f)));
            }
            for (R_xlen_t i = 0; i < XLENGTH(value); i++) {
                encode_item(out, schema, f, VECTOR_ELT(value, i));
            }
        } else {
            encode_item(out, schema, f, value);
        }
    }
}

static void free_out(void *data) {
    Out *out = data;
    free(out->bytes);
    out->bytes = NULL;
    free(out->references);
    out->references = NULL;
}

static SEXP copied(const Out *out, size_t from, size_t to) {
    SEXP part = Rf_allocVector(RAWSXP, (R_xlen_t) (to - from));
    if (to > from) {
        memcpy(RAW(part), out->bytes + from, to - from);
    }
    return part;
}

/* The parts: the copied bytes cut where the referenced values go between them. */
static SEXP encode_body(void *data) {
    Out *out = ((void **) data)[0];
    SEXP *args = ((void **) data)[1];
    encode_in(out, args[0], args[1]);
    SEXP parts = PROTECT(Rf_allocVector(VECSXP, (R_xlen_t) (2 * out->reference_count + 1)));
    size_t from = 0;
    for (size_t i = 0; i < out->reference_count; i++) {
        SET_VECTOR_ELT(parts, (R_xlen_t) (2 * i), copied(out, from, out->references[i].at));
        SET_VECTOR_ELT(parts, (R_xlen_t) (2 * i + 1), out->references[i].value);
        from = out->references[i].at;
    }
    SET_VECTOR_ELT(parts, (R_xlen_t) (2 * out->reference_count), copied(out, from, out->length));
    UNPROTECT(1);
    return parts;
}

/*
 * ext_encode_struct(compiled schema, values, schemas): the struct's fields in canonical order as
 * a list of raw vectors, the parts of the payload (absent and NULL values left out; repeated
 * fields lists; BYTES raw vectors or slices; STRUCT values lists, or parts already encoded, class
 * extensa_parts).
 */
SEXP ext_encode_struct(SEXP schema, SEXP values, SEXP schemas) {
    Out out = {NULL, 0, 0, NULL, 0, 0, 0, schemas};
    SEXP args[2] = {schema, values};
    void *data[2] = {&out, args};
    /* the buffer is freed on an R error as well */
    SEXP result = R_ExecWithCleanup(encode_body, data, free_out, &out);
    return result;
}

/* ext_int64_bytes(values): the little-endian int64 words of doubles, as wire.R's int64_bytes. */
SEXP ext_int64_bytes(SEXP values) {
    R_xlen_t n = XLENGTH(values);
    SEXP doubles = PROTECT(Rf_coerceVector(values, REALSXP));
    SEXP out = PROTECT(Rf_allocVector(RAWSXP, 8 * n));
    unsigned char *at = RAW(out);
    const double *v = REAL(doubles);
    for (R_xlen_t i = 0; i < n; i++) {
        uint64_t word = ext_int64_word(v[i]);
        put_u32(at + 8 * i, (uint32_t) word);
        put_u32(at + 8 * i + 4, (uint32_t) (word >> 32));
    }
    UNPROTECT(2);
    return out;
}
