/*
 * Input columns built in place: a unit's batches of a fixed-width or DECIMAL column are decoded
 * straight into one growing block of memory that becomes the final R vector, instead of one
 * vector per batch joined by unlist at the end (three copies of every value, each into fresh
 * pages, which a forked job pays for in page faults).
 *
 * The block is an anonymous mapping that grows with mremap, which moves pages instead of copying
 * them, and is handed to R at the end through allocVector3's custom allocator: the values are
 * already where R expects a vector's data, after its header, and R unmaps the block when it
 * collects the vector. Where the allocator does not behave as probed at load time (another R),
 * the values are copied into an ordinary vector instead.
 */
#define _GNU_SOURCE
#include "extensa_native.h"

#include <R_ext/Rallocators.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

/* wire types (docs/protocol.md section 5) this file reads */
#define T_BOOL 1
#define T_INT16 2
#define T_INT32 3
#define T_FLOAT32 5
#define T_FLOAT64 6
#define T_DECIMAL 7
#define T_DATE 10

#define DATE_INFINITY 2147483647
/* address space a column reserves at first; past SMALL_PAGES_BYTES of values it may get
 * transparent huge pages */
#define RESERVED_COLUMN_BYTES ((size_t) 64 << 20)
#define SMALL_PAGES_BYTES ((size_t) 2 << 20)
/* payloads from this size on are read into transparent huge pages */
#define HUGE_VECTOR_BYTES ((size_t) 1 << 20)
/* columns smaller than this are copied into an ordinary vector */
#define SMALL_COLUMN_BYTES 65536

/* Where a custom-allocated vector's data starts in its block; 0 when unknown (copy instead). */
static size_t data_offset;
static void *probed_block;

typedef struct {
    int wire_type;
    SEXPTYPE type;
    size_t width;       /* bytes per R value */
    char *block;        /* the mapping; values from block + data_offset */
    size_t mapped;
    R_xlen_t rows;
    int huge;           /* the block is advised to use transparent huge pages */
} Column;

static void *probe_alloc(R_allocator_t *allocator, size_t size) {
    probed_block = malloc(size);
    return probed_block;
}

static void probe_free(R_allocator_t *allocator, void *block) {
    free(block);
}

/* Learns where allocVector3 puts a vector's data in a custom block (R_init_extensa_native). */
void ext_column_probe(void) {
    R_allocator_t allocator = {probe_alloc, probe_free, NULL, NULL};
    probed_block = NULL;
    SEXP x = Rf_allocVector3(REALSXP, 4, &allocator);
    if (probed_block == NULL) {
        return;
    }
    ptrdiff_t offset = (char *) REAL(x) - (char *) probed_block;
    /* R keeps a copy of the allocator at the block's start, the vector's header after it */
    int layout = ((R_allocator_t *) probed_block)->mem_alloc == probe_alloc;
    if (layout && offset > 0 && offset <= 256 && offset % 8 == 0) {
        data_offset = (size_t) offset;
    }
}

/* The blocks R owns, with their sizes: its free callback gets only the block. */
typedef struct {
    void *block;
    size_t size;
} Owned;
static Owned *owned;
static size_t owned_count;
static size_t owned_capacity;
static size_t owned_bytes;
/*
 * R's collector does not count vectors from a custom allocator in its heap, so their garbage
 * (last unit's columns, read payloads) would not make it collect: past this many bytes held in
 * such blocks a collection runs, and the limit becomes twice what survives it.
 */
static size_t collect_at = (size_t) 256 << 20;

static void collect_if_due(size_t more) {
    if (owned_bytes + more < collect_at) {
        return;
    }
    R_gc();
    size_t after = 2 * (owned_bytes + more);
    collect_at = after > ((size_t) 256 << 20) ? after : (size_t) 256 << 20;
}

static void *block_alloc(R_allocator_t *allocator, size_t size) {
    Column *column = allocator->data;
    if (column == NULL || column->block == NULL || size > column->mapped) {
        return NULL;
    }
    if (owned_count == owned_capacity) {
        size_t capacity = owned_capacity ? 2 * owned_capacity : 16;
        Owned *grown = realloc(owned, sizeof *grown * capacity);
        if (grown == NULL) {
            return NULL;
        }
        owned = grown;
        owned_capacity = capacity;
    }
    owned[owned_count].block = column->block;
    owned[owned_count].size = column->mapped;
    owned_count++;
    owned_bytes += column->mapped;
    void *block = column->block;
    column->block = NULL;  /* R owns it now */
    return block;
}

static void block_free(R_allocator_t *allocator, void *block) {
    for (size_t i = 0; i < owned_count; i++) {
        if (owned[i].block == block) {
            munmap(block, owned[i].size);
            owned_bytes -= owned[i].size;
            owned[i] = owned[--owned_count];
            return;
        }
    }
}

static size_t page_round(size_t n) {
    size_t page = (size_t) sysconf(_SC_PAGESIZE);
    return (n + page - 1) / page * page;
}

static void column_release(Column *column) {
    if (column->block != NULL) {
        munmap(column->block, column->mapped);
        column->block = NULL;
    }
}

static void column_finalize(SEXP pointer) {
    Column *column = R_ExternalPtrAddr(pointer);
    if (column != NULL) {
        column_release(column);
        free(column);
        R_ClearExternalPtr(pointer);
    }
}

static Column *column_of(SEXP pointer) {
    if (TYPEOF(pointer) != EXTPTRSXP || R_ExternalPtrAddr(pointer) == NULL) {
        Rf_error("not an input column");
    }
    return R_ExternalPtrAddr(pointer);
}

/* ext_column_new(wire type): an empty column of a type ext_column_takes accepts. */
SEXP ext_column_new(SEXP wire_type) {
    Column *column = calloc(1, sizeof *column);
    if (column == NULL) {
        Rf_error("out of memory");
    }
    column->wire_type = Rf_asInteger(wire_type);
    switch (column->wire_type) {
    case T_BOOL:
        column->type = LGLSXP;
        break;
    case T_INT16:
    case T_INT32:
        column->type = INTSXP;
        break;
    case T_FLOAT32:
    case T_FLOAT64:
    case T_DECIMAL:
    case T_DATE:
        column->type = REALSXP;
        break;
    default: {
        int wire = column->wire_type;
        free(column);
        Rf_error("wire type %d is not built in place", wire);
    }
    }
    column->width = column->type == REALSXP ? sizeof(double) : sizeof(int);
    SEXP pointer = PROTECT(R_MakeExternalPtr(column, Rf_install("extensa_column"), R_NilValue));
    R_RegisterCFinalizerEx(pointer, column_finalize, TRUE);
    UNPROTECT(1);
    return pointer;
}

/*
 * Once a column outgrows its first 2 MiB, its block gets transparent huge pages where the kernel
 * has them (what is written stays in small pages): one fault per 2 MiB instead of one per 4 KiB,
 * while a small column never takes a huge page. The whole block is advised, so it stays one
 * mapping for mremap, which cannot span several.
 */
static void advise_huge(Column *column, size_t needed) {
    if (!column->huge && needed > SMALL_PAGES_BYTES) {
        madvise(column->block, column->mapped, MADV_HUGEPAGE);
        column->huge = 1;
    }
}

/*
 * Room for `more` rows after the ones written. The first block reserves address space for a
 * large column (pages cost only once written); it grows by doubling, moved by the kernel, never
 * copied.
 */
static void column_reserve(Column *column, R_xlen_t more) {
    size_t needed = data_offset + column->width * (size_t) (column->rows + more);
    if (column->block != NULL && needed <= column->mapped) {
        advise_huge(column, needed);
        return;
    }
    void *block = MAP_FAILED;
    size_t size;
    collect_if_due(column->block == NULL ? needed : column->mapped);
    if (column->block == NULL) {
        /* under an address-space limit (a pool's memory where no cgroup can hold it) reserving
         * would count as using: then only what is needed */
        struct rlimit limit;
        int limited = getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY;
        size = page_round(needed > RESERVED_COLUMN_BYTES || limited ? needed : RESERVED_COLUMN_BYTES);
        block = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    } else {
        size = page_round(needed > 2 * column->mapped ? needed : 2 * column->mapped);
        block = mremap(column->block, column->mapped, size, MREMAP_MAYMOVE);
    }
    if (block == MAP_FAILED) {
        Rf_error("cannot allocate %.0f bytes for an input column: %s", (double) size, strerror(errno));
    }
    column->block = block;
    column->mapped = size;
    advise_huge(column, needed);
}

/*
 * ext_column_append(column, payload, offset, rows, validity, offsets_at): appends a batch's
 * values: `rows` fixed-width values at payload[offset..], or for DECIMAL the text at
 * payload[offset..] cut by the rows + 1 int32 offsets at payload[offsets_at..], which
 * ext_check_offsets has checked. NULL rows (validity byte 0) become NA, as the
 * per-batch conversions in convert.R make them. Returns NULL, except:
 * INT32: the rows (1-based, over the whole column) whose value is -2^31, R's NA_integer_, when
 * there are any; DECIMAL: list(rows, doubles) of the batch's rows (1-based) whose text must be
 * checked against their double, when there are any, or the 0-based row that is not a decimal
 * number (a double).
 */
SEXP ext_column_append(SEXP pointer, SEXP payload, SEXP offset_value, SEXP rows_value, SEXP validity,
                       SEXP offsets_at) {
    Column *column = column_of(pointer);
    R_xlen_t rows = (R_xlen_t) Rf_asReal(rows_value);
    double offset = Rf_asReal(offset_value);
    const Rbyte *valid = Rf_isNull(validity) ? NULL : RAW(validity);
    if (valid != NULL && XLENGTH(validity) != rows) {
        Rf_error("validity of %.0f bytes for %.0f rows", (double) XLENGTH(validity), (double) rows);
    }
    size_t wire_width = 0;
    switch (column->wire_type) {
    case T_BOOL: wire_width = 1; break;
    case T_INT16: wire_width = 2; break;
    case T_INT32: case T_FLOAT32: case T_DATE: wire_width = 4; break;
    case T_FLOAT64: wire_width = 8; break;
    default: break;
    }
    const int *offsets = NULL;
    double span = (double) wire_width * (double) rows;
    if (column->wire_type == T_DECIMAL) {
        double at = Rf_asReal(offsets_at);
        if (at < 0 || ((size_t) at) % sizeof(int) != 0 || at + 4 * ((double) rows + 1) > (double) XLENGTH(payload)) {
            Rf_error("column offsets out of bounds");
        }
        offsets = (const int *) (RAW(payload) + (size_t) at);
        span = offsets[rows];
    }
    if (offset < 0 || offset + span > (double) XLENGTH(payload)) {
        Rf_error("column data out of bounds");
    }
    if (rows == 0) {
        return R_NilValue;
    }
    column_reserve(column, rows);
    const unsigned char *in = RAW(payload) + (size_t) offset;
    char *values = column->block + data_offset + column->width * (size_t) column->rows;
    R_xlen_t first = column->rows;
    SEXP result = R_NilValue;

    switch (column->wire_type) {
    case T_FLOAT64: {
        double *out = (double *) values;
        memcpy(out, in, sizeof(double) * (size_t) rows);
        /* a NaN whose bits happen to be R's NA stays a NaN: only NULL is NA */
        for (R_xlen_t i = 0; i < rows; i++) {
            if (ISNAN(out[i]) && R_IsNA(out[i])) {
                out[i] = R_NaN;
            }
        }
        break;
    }
    case T_FLOAT32: {
        double *out = (double *) values;
        for (R_xlen_t i = 0; i < rows; i++) {
            float f;
            memcpy(&f, in + 4 * i, sizeof f);
            out[i] = (double) f;
        }
        break;
    }
    case T_DATE: {
        double *out = (double *) values;
        for (R_xlen_t i = 0; i < rows; i++) {
            int32_t days;
            memcpy(&days, in + 4 * i, sizeof days);
            /* PostgreSQL's infinities are the extreme int32 values */
            out[i] = days == INT32_MIN ? R_NegInf : days == DATE_INFINITY ? R_PosInf : (double) days;
        }
        break;
    }
    case T_BOOL: {
        int *out = (int *) values;
        for (R_xlen_t i = 0; i < rows; i++) {
            out[i] = in[i] != 0;
        }
        break;
    }
    case T_INT16: {
        int *out = (int *) values;
        for (R_xlen_t i = 0; i < rows; i++) {
            int16_t v;
            memcpy(&v, in + 2 * i, sizeof v);
            out[i] = v;
        }
        break;
    }
    case T_INT32: {
        int *out = (int *) values;
        memcpy(out, in, sizeof(int) * (size_t) rows);
        R_xlen_t collisions = 0;
        for (R_xlen_t i = 0; i < rows; i++) {
            collisions += out[i] == NA_INTEGER && (valid == NULL || valid[i] != 0);
        }
        if (collisions > 0) {
            result = PROTECT(Rf_allocVector(REALSXP, collisions));
            R_xlen_t k = 0;
            for (R_xlen_t i = 0; i < rows; i++) {
                if (out[i] == NA_INTEGER && (valid == NULL || valid[i] != 0)) {
                    REAL(result)[k++] = (double) (first + i + 1);
                }
            }
            UNPROTECT(1);
        }
        break;
    }
    case T_DECIMAL: {
        int *check = (int *) R_alloc((size_t) rows, sizeof(int));
        R_xlen_t checks = 0;
        R_xlen_t failed = ext_decimals_into(in, offsets, rows, valid, (double *) values, check, &checks);
        if (failed >= 0) {
            return Rf_ScalarReal((double) failed);
        }
        if (checks > 0) {
            result = PROTECT(Rf_allocVector(VECSXP, 2));
            SEXP rows_to_check = Rf_allocVector(INTSXP, checks);
            SET_VECTOR_ELT(result, 0, rows_to_check);
            SEXP numbers = Rf_allocVector(REALSXP, checks);
            SET_VECTOR_ELT(result, 1, numbers);
            for (R_xlen_t k = 0; k < checks; k++) {
                INTEGER(rows_to_check)[k] = check[k];
                REAL(numbers)[k] = ((double *) values)[check[k] - 1];
            }
            UNPROTECT(1);
        }
        break;
    }
    default:
        Rf_error("wire type %d is not built in place", column->wire_type);
    }
    if (valid != NULL) {
        for (R_xlen_t i = 0; i < rows; i++) {
            if (valid[i] == 0) {
                if (column->type == REALSXP) {
                    ((double *) values)[i] = NA_REAL;
                } else {
                    ((int *) values)[i] = NA_INTEGER;
                }
            }
        }
    }
    column->rows += rows;
    return result;
}

/* ext_column_finish(column): the R vector of every row appended; the column is empty afterwards. */
SEXP ext_column_finish(SEXP pointer) {
    Column *column = column_of(pointer);
    R_xlen_t rows = column->rows;
    SEXP vector;
    if (rows == 0 || column->block == NULL) {
        vector = Rf_allocVector(column->type, rows);
    } else if (data_offset == 0 || column->width * (size_t) rows < SMALL_COLUMN_BYTES || rows > R_SHORT_LEN_MAX) {
        /* R makes small vectors (and every one of length 1) without the custom allocator, and
         * long vectors have a longer header than the one probed */
        vector = Rf_allocVector(column->type, rows);
        memcpy(DATAPTR(vector), column->block + data_offset, column->width * (size_t) rows);
    } else {
        /* give back the pages past the end before R owns the block */
        size_t used = page_round(data_offset + column->width * (size_t) rows);
        if (used < column->mapped) {
            void *shrunk = mremap(column->block, column->mapped, used, 0);
            if (shrunk != MAP_FAILED) {
                column->mapped = used;
            }
        }
        R_allocator_t allocator = {block_alloc, block_free, NULL, column};
        vector = Rf_allocVector3(column->type, rows, &allocator);
        if (column->block != NULL) {
            Rf_error("the input column's block was not taken");
        }
    }
    column_release(column);
    column->rows = 0;
    return vector;
}

/*
 * A vector of `length` values of `type` (bytes of data in all) in transparent huge pages, for
 * large frame payloads: NULL when it should be an ordinary vector (small, or the custom
 * allocator was not as probed).
 */
SEXP ext_alloc_huge(SEXPTYPE type, R_xlen_t length, size_t bytes) {
    if (data_offset == 0 || bytes < HUGE_VECTOR_BYTES) {
        return NULL;
    }
    collect_if_due(bytes);
    Column column = {0, type, 1, NULL, 0, 0, 1};
    /* whole 2 MiB pages: the kernel aligns mappings of that size, so every byte can be huge */
    column.mapped = (data_offset + bytes + SMALL_PAGES_BYTES - 1) / SMALL_PAGES_BYTES * SMALL_PAGES_BYTES;
    column.block = mmap(NULL, column.mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (column.block == MAP_FAILED) {
        return NULL;
    }
    madvise(column.block, column.mapped, MADV_HUGEPAGE);
    R_allocator_t allocator = {block_alloc, block_free, NULL, &column};
    SEXP vector = Rf_allocVector3(type, length, &allocator);
    if (column.block != NULL) {
        munmap(column.block, column.mapped);
        Rf_error("the payload's block was not taken");
    }
    return vector;
}
