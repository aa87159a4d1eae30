#!/bin/sh
# Compiles the R satellite's native helper into $1 (a shared library R loads with dyn.load).
# Needs a C compiler and R's headers (r-base-core ships them; bin/setup installs gcc).
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-cc}
rscript=${EXTENSA_RSCRIPT:-Rscript}
include=$("$rscript" --vanilla -e 'cat(R.home("include"))')
mkdir -p "$(dirname "$out")"
"$cc" -std=gnu11 -O2 -fPIC -shared -Wall -Wextra -Wno-unused-parameter -Wno-cast-function-type -Werror \
  -I"$include" -o "$out.tmp" "$here"/*.c -lpthread -ldl
mv "$out.tmp" "$out"
