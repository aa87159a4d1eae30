# shellcheck shell=bash
# Finds a JDK 21 or newer and exports JAVA_HOME. Sourced by bin/extensa, bin/mvn and bin/setup.
# Order: $EXTENSA_JAVA_HOME, $JAVA_HOME, the newest JDK under /usr/lib/jvm, then `java` on PATH.

extensa_java_major() {  # $1 = a JDK home; prints its major version or nothing
  local home=$1 v=
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  elif [ -x "$home/bin/java" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
  fi
  v=${v#1.}
  printf '%s' "${v%%[.+-]*}"
}

extensa_find_java_home() {
  local candidate major best= best_major=0
  for candidate in "${EXTENSA_JAVA_HOME:-}" "${JAVA_HOME:-}"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(extensa_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then printf '%s' "$candidate"; return 0; fi
  done
  for candidate in /usr/lib/jvm/*/; do
    candidate=${candidate%/}
    [ -x "$candidate/bin/javac" ] || continue
    major=$(extensa_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate; best_major=$major
    fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(extensa_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then best=$candidate; fi
  fi
  [ -n "$best" ] || return 1
  printf '%s' "$best"
}

extensa_require_java() {
  local home
  if ! home=$(extensa_find_java_home); then
    echo "extensa: no JDK 21 or newer found (looked at \$EXTENSA_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm/*, PATH)." >&2
    echo "extensa: install one, e.g. 'apt-get install openjdk-21-jdk-headless' where your release has it, or set EXTENSA_JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME=$home
  export PATH="$JAVA_HOME/bin:$PATH"
  # JDK 24+ warns about sun.misc.Unsafe use inside Maven's own Guice; keep build output readable.
  if [ "$(extensa_java_major "$JAVA_HOME")" -ge 24 ]; then
    case " ${MAVEN_OPTS:-} " in *sun-misc-unsafe*) ;; *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;; esac
  fi
}
