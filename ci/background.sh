#!/usr/bin/env bash
# Runs the build's shell checks (Terraform, moto, ci/) beside the Java tests instead of before
# them: `./mvnw verify` starts each one when its inputs exist and waits for all of them at the end.
#
# Usage:
#   ci/background.sh start DIR NAME CMD [ARG...]   start CMD detached; its output goes to
#                                                  DIR/NAME.log, its exit code to DIR/NAME.rc
#   ci/background.sh wait DIR                      wait for every check started in DIR, print
#                                                  each one's output, and exit 1 if any failed
#
# A check started again replaces the earlier run's files. `wait` with nothing started (a build
# of some modules only, or -DskipShellChecks) prints nothing and exits 0; a check still running
# after MEDALLION_CHECK_TIMEOUT seconds (default 3600) counts as failed.

set -euo pipefail

usage() {
  sed -n '5,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
command="$1"
dir="$2"
shift 2

case "$command" in
  start)
    [[ $# -ge 2 ]] || usage
    name="$1"
    shift
    mkdir -p "$dir"
    rm -f "$dir/$name.log" "$dir/$name.rc"
    echo "$name" >"$dir/$name.started"
    # Detached, with no stream left open to Maven, so that the build goes on at once. At the
    # lowest CPU priority: the Java tests spend much of their time waiting (on brokers, triggers,
    # polls) and slow down when a check takes both cores; niced, the checks use what they leave.
    nohup nice -n 19 bash -c '"$@" >"$0.log" 2>&1; echo $? >"$0.rc.tmp"; mv "$0.rc.tmp" "$0.rc"' \
      "$dir/$name" "$@" </dev/null >/dev/null 2>&1 &
    echo "Started $name in the background (output: $dir/$name.log)."
    ;;
  wait)
    failed=0
    shopt -s nullglob
    for marker in "$dir"/*.started; do
      name="$(basename "$marker" .started)"
      # Every check ends by itself (each has its own timeouts); the deadline is a last resort.
      deadline=$((SECONDS + ${MEDALLION_CHECK_TIMEOUT:-3600}))
      while [[ ! -f "$dir/$name.rc" && $SECONDS -lt $deadline ]]; do
        sleep 1
      done
      rc="$(cat "$dir/$name.rc" 2>/dev/null || echo "timeout")"
      echo "== $name (exit $rc)"
      cat "$dir/$name.log"
      if [[ "$rc" != 0 ]]; then
        echo "FAILED: $name (exit $rc); its output is above and in $dir/$name.log"
        failed=1
      fi
      rm -f "$marker"
    done
    exit "$failed"
    ;;
  *)
    usage
    ;;
esac
