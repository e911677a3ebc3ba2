# Sourced by bin/pulsemind and bin/test: sets JAVA_HOME to a full JDK (java and javac) of release 25 or newer.
# 25 is a hard floor: the build compiles with --release 25 (maven.compiler.release in pom.xml), so an older JDK
# cannot build the CLI, even though the FFM API it uses has been final since 22.
# Order: $JAVA_HOME if it is >= 25, else the newest >= 25 in /usr/lib/jvm/* or on PATH. Says what is missing otherwise.
pm_java_feature() { # prints the feature release of "$1/bin/java", or nothing
  "$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9][0-9]*\).*/\1/p'
}
pm_find_jdk() {
  local cand best="" bestv=0 v
  for cand in "${JAVA_HOME:-}" /usr/lib/jvm/* "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$cand" ] && [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
    v=$(pm_java_feature "$cand"); [ -n "$v" ] || continue
    if [ "$cand" = "${JAVA_HOME:-}" ] && [ "$v" -ge 25 ]; then best=$cand; break; fi
    if [ "$v" -ge 25 ] && [ "$v" -gt "$bestv" ]; then best=$cand; bestv=$v; fi
  done
  if [ -z "$best" ]; then
    echo "pulsemind: needs a JDK of release 25 or newer (java and javac; the build uses --release 25); none found in" \
         "\$JAVA_HOME (${JAVA_HOME:-unset}$([ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && echo ", release $(pm_java_feature "$JAVA_HOME")")), /usr/lib/jvm or PATH." >&2
    echo "pulsemind: install Temurin 25 (e.g. /usr/lib/jvm/temurin-25-jdk-amd64) or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
}
