#!/usr/bin/env bash
# Builds the sandbox helper (program and shared library) into $1; run by the launchpad's Maven
# build (generate-resources). Needs a C compiler and libc headers: bin/setup installs gcc and libc6-dev.
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_DIRECTORY}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "launchpad: no C compiler ($cc) to build the satellite sandbox; run bin/setup (installs gcc, libc6-dev)" >&2
  exit 1
fi
mkdir -p "$out"
flags=(-O2 -Wall -Wextra -Werror -std=gnu11 -D_FORTIFY_SOURCE=2 -fstack-protector-strong)
# build next to the target and rename: a running launchpad may be executing the old program
"$cc" "${flags[@]}" -o "$out/extensa-sandbox.tmp" "$src/extensa_sandbox.c" "$src/extensa_sandbox_cli.c"
"$cc" "${flags[@]}" -shared -fPIC -o "$out/libextensa_sandbox.so.tmp" "$src/extensa_sandbox.c"
mv -f "$out/extensa-sandbox.tmp" "$out/extensa-sandbox"
mv -f "$out/libextensa_sandbox.so.tmp" "$out/libextensa_sandbox.so"
