# Sourced by ./platform and .ci/run: picks a JDK >= 21 and exports JAVA_HOME and PATH.
# Order: $JAVA_HOME, the `java` on PATH, then the JDKs under /usr/lib/jvm and /opt (newest first).

meridian_java_major() { # $1 = path to a java binary; prints its feature version or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1 | cut -d. -f1
}

meridian_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in $(ls -d /usr/lib/jvm/* /opt/java/* /opt/jdk* 2>/dev/null | sort -rV); do candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(meridian_java_major "$c/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME="$c"
      export PATH="$c/bin:$PATH"
      return 0
    fi
  done
  echo "Meridian needs a JDK 21 or newer, and none was found." >&2
  echo "Looked at: \$JAVA_HOME (${JAVA_HOME:-unset}), the java on PATH, /usr/lib/jvm/*, /opt/java/*, /opt/jdk*." >&2
  echo "Install one (for example Temurin 21 or 25) and set JAVA_HOME to it, then run this again." >&2
  return 1
}
