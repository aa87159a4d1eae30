/*
 * DECIMAL columns as doubles without making an R string per value: each value's bytes are
 * checked against the wire's DECIMAL grammar (docs/protocol.md: an optional sign, digits with an
 * optional point and exponent, Infinity, or NaN) and read exactly: most with one division (see
 * fast_decimal), the rest with strtod, which rounds correctly (R keeps the C numeric locale, so
 * the point is '.'). Whether a double holds the decimal exactly is
 * decided in R, for the few values that need their text.
 */
#include "extensa_native.h"

#include <R_ext/Arith.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Whether s[0..n) is a DECIMAL value. */
static int decimal_grammar(const unsigned char *s, size_t n) {
    size_t i = 0;
    if (n == 3 && memcmp(s, "NaN", 3) == 0) {
        return 1;
    }
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        i++;
    }
    if (n - i == 8 && memcmp(s + i, "Infinity", 8) == 0) {
        return 1;
    }
    size_t digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0) {
        return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        size_t exponent = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            exponent++;
        }
        if (exponent == 0) {
            return 0;
        }
    }
    return i == n;
}

/* Exact powers of ten: every one up to 10^22 is a double. */
static const double POWERS_OF_TEN[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
                                       1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
#define EXACT_MANTISSA_LIMIT 9007199254740992ULL /* 2^53 */

/*
 * The common DECIMAL, an optional sign and digits with an optional point, read without strtod:
 * when its digits as an integer m are at most 2^53 and it has at most 22 after the point, m and
 * 10^k are both doubles and one IEEE division rounds m / 10^k correctly, so the result is the one
 * strtod gives (Clinger's fast path). Returns 0 when the value needs strtod.
 */
static int fast_decimal(const unsigned char *s, size_t n, double *out) {
    size_t i = 0;
    int negative = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        negative = s[i] == '-';
        i++;
    }
    unsigned long long mantissa = 0;
    size_t digits = 0;
    size_t fraction = 0;
    int point = 0;
    for (; i < n; i++) {
        unsigned char c = s[i];
        if (c >= '0' && c <= '9') {
            if (digits == 19) {
                return 0;
            }
            mantissa = mantissa * 10 + (unsigned) (c - '0');
            if (mantissa != 0) {
                digits++;
            }
            fraction += point;
        } else if (c == '.' && !point) {
            point = 1;
        } else {
            return 0;
        }
    }
    if (mantissa > EXACT_MANTISSA_LIMIT || fraction > 22) {
        return 0;
    }
    double value = (double) mantissa / POWERS_OF_TEN[fraction];
    *out = negative ? -value : value;
    return 1;
}

/* Whether a value read from text of n bytes may not be the decimal exactly: long text, or a zero,
 * infinity or subnormal, whose text decides (decimal_exact in R). */
static int needs_text(size_t n, double value) {
    return n > 15 || (!ISNAN(value) && (!R_FINITE(value) || fabs(value) < DBL_MIN));
}

/*
 * Reads the DECIMAL values of `rows` rows (the text of row r is data[at[r]..at[r + 1])) into out,
 * NA for NULL rows (valid[r] == 0; valid may be NULL), and lists in check (1-based, *checks of
 * them) the rows whose text must be compared with their double. Returns -1, or the 0-based row
 * whose value breaks the grammar.
 */
R_xlen_t ext_decimals_into(const unsigned char *data, const int *at, R_xlen_t rows, const Rbyte *valid, double *out,
                           int *check, R_xlen_t *checks) {
    char small[64];
    char *text = small;
    size_t capacity = sizeof small;
    R_xlen_t failed = -1;
    *checks = 0;
    for (R_xlen_t row = 0; row < rows; row++) {
        if (valid != NULL && valid[row] == 0) {
            out[row] = NA_REAL;
            continue;
        }
        const unsigned char *value = data + at[row];
        size_t n = (size_t) (at[row + 1] - at[row]);
        if (!decimal_grammar(value, n)) {
            failed = row;
            break;
        }
        if (n == 3 && value[0] == 'N') {
            out[row] = R_NaN;
            continue;
        }
        if (!fast_decimal(value, n, &out[row])) {
            if (n + 1 > capacity) {
                char *grown = malloc(n + 1);
                if (grown == NULL) {
                    if (text != small) {
                        free(text);
                    }
                    Rf_error("out of memory reading a DECIMAL value of %zu bytes", n);
                }
                if (text != small) {
                    free(text);
                }
                text = grown;
                capacity = n + 1;
            }
            memcpy(text, value, n);
            text[n] = '\0';
            out[row] = strtod(text, NULL);
        }
        if (needs_text(n, out[row])) {
            check[(*checks)++] = (int) row + 1;
        }
    }
    if (text != small) {
        free(text);
    }
    return failed;
}

/*
 * ext_parse_decimals(bytes, offsets, validity): list(values, check): a double per row (NA for NULL
 * rows, NaN and infinities kept) and the rows (1-based) whose text must be compared with their
 * double; or, when a value breaks the grammar, that row's 0-based index as an integer.
 */
SEXP ext_parse_decimals(SEXP bytes, SEXP offsets, SEXP validity) {
    R_xlen_t rows = XLENGTH(offsets) - 1;
    if (rows < 0) {
        rows = 0;
    }
    const Rbyte *valid = Rf_isNull(validity) ? NULL : RAW(validity);
    SEXP result = PROTECT(Rf_allocVector(REALSXP, rows));
    int *check = (int *) R_alloc((size_t) (rows > 0 ? rows : 1), sizeof(int));
    R_xlen_t checks = 0;
    R_xlen_t failed = ext_decimals_into(RAW(bytes), INTEGER(offsets), rows, valid, REAL(result), check, &checks);
    if (failed >= 0) {
        UNPROTECT(1);
        return Rf_ScalarInteger((int) failed);
    }
    SEXP rows_to_check = PROTECT(Rf_allocVector(INTSXP, checks));
    if (checks > 0) {
        memcpy(INTEGER(rows_to_check), check, sizeof(int) * (size_t) checks);
    }
    SEXP both = PROTECT(Rf_allocVector(VECSXP, 2));
    SET_VECTOR_ELT(both, 0, result);
    SET_VECTOR_ELT(both, 1, rows_to_check);
    UNPROTECT(3);
    return both;
}
