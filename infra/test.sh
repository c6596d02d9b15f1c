#!/usr/bin/env bash
# Checks the Terraform in infra/: formatting, then init + validate of every
# module and environment, then `terraform test` wherever tests exist.
#
# Usage: infra/test.sh
#
# Environment:
#   TF_PLUGIN_MIRROR     optional; a provider mirror directory (the layout of
#                        `terraform providers mirror`). When set, providers are
#                        installed from it with -plugin-dir (offline); when
#                        unset, they are downloaded from the registry.
#   TF_PLUGIN_CACHE_DIR  optional; the provider cache (default: a temporary one).
#
# Exits 0 when everything passes, 1 otherwise, and 0 with a "SKIPPED" line when
# terraform is not installed. The last line is always the summary
# "terraform: N passed, M failed" (N, M: terraform test run blocks).
#
# Everything but the format check runs in a temporary copy of infra/ (see
# tf_prepare in infra/lib.sh, shared with the ci/ scripts): no .terraform/ and
# no lock file is written into the source tree, and two runs at the same time
# do not interfere.

set -euo pipefail

if ! command -v terraform >/dev/null 2>&1; then
  echo "SKIPPED: terraform not on PATH"
  exit 0
fi

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$infra_dir"

# shellcheck source=SCRIPTDIR/lib.sh
source "$infra_dir/lib.sh"

work_dir="$(mktemp -d)"
trap 'rm -rf -- "$work_dir"' EXIT

tf_prepare "$work_dir"
init_args=(-backend=false "${TF_INIT_ARGS[@]}")

passed=0
failed=0
skipped=0
problems=0

# Prints a step's log when it failed.
report_failure() {
  local what="$1" log="$2"
  echo "FAIL: $what"
  sed 's/^/    /' "$log"
  problems=$((problems + 1))
}

echo "== terraform fmt -check -recursive"
if ! terraform fmt -check -recursive -no-color . >"$work_dir/fmt.log" 2>&1; then
  report_failure "terraform fmt (run: terraform fmt -recursive infra)" "$work_dir/fmt.log"
fi

cd "$TF_INFRA_DIR"
dirs=()
for d in modules/*/ envs/*/ bootstrap/; do
  [[ -f "${d}versions.tf" || -f "${d}main.tf" ]] && dirs+=("${d%/}")
done

for d in "${dirs[@]}"; do
  echo "== $d"
  log="$work_dir/$(echo "$d" | tr '/' '_').log"

  if ! terraform -chdir="$d" init "${init_args[@]}" >"$log" 2>&1; then
    report_failure "$d: terraform init" "$log"
    continue
  fi

  if ! terraform -chdir="$d" validate -no-color >"$log" 2>&1; then
    report_failure "$d: terraform validate" "$log"
    continue
  fi
  echo "   validate: ok"

  if ! compgen -G "$d/tests/*.tftest.hcl" >/dev/null; then
    echo "   no tests"
    continue
  fi

  test_ok=true
  terraform -chdir="$d" test -no-color >"$log" 2>&1 || test_ok=false

  # Terraform ends with "Success! 3 passed, 0 failed." or
  # "Failure! 1 passed, 1 failed, 2 skipped."
  summary="$(grep -E '^(Success|Failure)! [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)"
  if [[ -z "$summary" ]]; then
    # The tests did not even start (for example a syntax error in a test file).
    failed=$((failed + 1))
    report_failure "$d: terraform test (no result summary)" "$log"
    continue
  fi

  p="$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$summary")"
  f="$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")"
  s=0
  if [[ "$summary" =~ ([0-9]+)\ skipped ]]; then
    s="${BASH_REMATCH[1]}"
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + s))

  grep -E '^  run "' "$log" | sed 's/^  /   /' || true
  if [[ "$test_ok" == false || "$f" -gt 0 || "$s" -gt 0 ]]; then
    report_failure "$d: terraform test ($summary)" "$log"
  fi
done

if ((skipped > 0)); then
  echo "terraform: $skipped run blocks skipped after an earlier failure"
fi
echo "terraform: $passed passed, $failed failed"

if ((problems > 0)); then
  exit 1
fi
