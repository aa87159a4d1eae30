/*
 * DECIMAL columns as doubles without making an R string per value: each value's bytes are
 * checked against the wire's DECIMAL grammar (docs/protocol.md: an optional sign, digits with an
 * optional point and exponent, Infinity, or NaN) and read with strtod, which rounds correctly (R
 * keeps the C numeric locale, so the point is '.'). Whether a double holds the decimal exactly is
 * decided in R, for the few values that need their text.
 */
#include "extensa_native.h"

#include <R_ext/Arith.h>
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

/*
 * ext_parse_decimals(bytes, offsets, validity): a double per row (NA for NULL rows, NaN and
 * infinities kept), or, when a value breaks the grammar, that row's 0-based index as an integer.
 */
SEXP ext_parse_decimals(SEXP bytes, SEXP offsets, SEXP validity) {
    R_xlen_t rows = XLENGTH(offsets) - 1;
    if (rows < 0) {
        rows = 0;
    }
    const unsigned char *data = RAW(bytes);
    const int *at = INTEGER(offsets);
    const Rbyte *valid = Rf_isNull(validity) ? NULL : RAW(validity);
    SEXP result = PROTECT(Rf_allocVector(REALSXP, rows));
    double *out = REAL(result);
    char small[64];
    char *text = small;
    size_t capacity = sizeof small;
    for (R_xlen_t row = 0; row < rows; row++) {
        if (valid != NULL && valid[row] == 0) {
            out[row] = NA_REAL;
            continue;
        }
        const unsigned char *value = data + at[row];
        size_t n = (size_t) (at[row + 1] - at[row]);
        if (!decimal_grammar(value, n)) {
            if (text != small) {
                free(text);
            }
            UNPROTECT(1);
            return Rf_ScalarInteger((int) row);
        }
        if (n == 3 && value[0] == 'N') {
            out[row] = R_NaN;
            continue;
        }
        if (n + 1 > capacity) {
            char *grown = malloc(n + 1);
            if (grown == NULL) {
                if (text != small) {
                    free(text);
                }
                UNPROTECT(1);
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
    if (text != small) {
        free(text);
    }
    UNPROTECT(1);
    return result;
}
