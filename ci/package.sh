#!/usr/bin/env bash
# Builds the cluster jar (./mvnw -B -ntp -DskipTests package; the tests ran in
# the pull request) and prints its path on stdout.

set -euo pipefail

USAGE="Usage: ci/package.sh"

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
  "") ;;
  -h | --help) printf '%s\n' "$USAGE"; exit 0 ;;
  *) usage_error "unknown argument: $1" ;;
esac

jar="$(build_jar)"
check_jar "$jar"
printf '%s\n' "$jar"
