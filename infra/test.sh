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
#   TF_TEST_JOBS         optional; how many directories are checked at once
#                        (default 2). Reports are printed in directory order.
#
# Exits 0 when everything passes, 1 otherwise, and 0 with a "SKIPPED" line when
# terraform is not installed. The last line is always the summary
# "terraform: N passed, M failed" (N, M: terraform test run blocks).
#
# Everything but the format check runs in a temporary copy of infra/ (see
# tf_prepare in infra/lib.sh, shared with the ci/ scripts): no .terraform/ and
# no lock file is written into the source tree, and two runs at the same time
# do not interfere.
#
# The roots (bootstrap/ and envs/<env>/) must have their .terraform.lock.hcl
# committed; they are initialised with -lockfile=readonly, so a lock file that
# does not match the configuration or the installed provider fails the check.
# envs/shared/ is not a root of its own: the environment roots link to its
# files, and it is checked through them.

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
  [[ "$d" == envs/shared/ ]] && continue
  [[ -f "${d}versions.tf" || -f "${d}main.tf" ]] && dirs+=("${d%/}")
done

# A root module: an environment or the bootstrap, with a committed lock file.
is_root() {
  [[ "$1" == bootstrap || "$1" == envs/* ]]
}

# Where one directory's files go: its path under $work_dir with "/" as "_", plus a suffix.
dir_file() {
  echo "$work_dir/${1//\//_}$2"
}

# Checks one directory, counting into the caller's passed, failed, skipped and problems.
check_dir() {
  local d="$1" log args=("${init_args[@]}")
  log="$(dir_file "$d" .log)"
  echo "== $d"

  if is_root "$d"; then
    if [[ ! -f "$d/.terraform.lock.hcl" ]]; then
      echo "a root's .terraform.lock.hcl must be committed (infra/README.md, \"Provider lock files\")" >"$log"
      report_failure "$d: no .terraform.lock.hcl" "$log"
      return
    fi
    args+=(-lockfile=readonly)
  fi

  if ! terraform -chdir="$d" init "${args[@]}" >"$log" 2>&1; then
    report_failure "$d: terraform init" "$log"
    return
  fi

  if ! terraform -chdir="$d" validate -no-color >"$log" 2>&1; then
    report_failure "$d: terraform validate" "$log"
    return
  fi
  echo "   validate: ok"

  if ! compgen -G "$d/tests/*.tftest.hcl" >/dev/null; then
    echo "   no tests"
    return
  fi

  local test_ok=true summary
  terraform -chdir="$d" test -no-color >"$log" 2>&1 || test_ok=false

  # Terraform ends with "Success! 3 passed, 0 failed." or
  # "Failure! 1 passed, 1 failed, 2 skipped."
  summary="$(grep -E '^(Success|Failure)! [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)"
  if [[ -z "$summary" ]]; then
    # The tests did not even start (for example a syntax error in a test file).
    failed=1
    report_failure "$d: terraform test (no result summary)" "$log"
    return
  fi

  passed="$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$summary")"
  failed="$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")"
  if [[ "$summary" =~ ([0-9]+)\ skipped ]]; then
    skipped="${BASH_REMATCH[1]}"
  fi

  grep -E '^  run "' "$log" | sed 's/^  /   /' || true
  if [[ "$test_ok" == false || "$failed" -gt 0 || "$skipped" -gt 0 ]]; then
    report_failure "$d: terraform test ($summary)" "$log"
  fi
}

# Checks one directory with counts of its own: its report goes to stdout, its counts to
# $work_dir/<dir>.counts ("passed failed skipped problems"), so that two directories can be
# checked at once and their reports printed in order afterwards.
run_dir() {
  local passed=0 failed=0 skipped=0 problems=0
  check_dir "$1"
  echo "$passed $failed $skipped $problems" >"$(dir_file "$1" .counts)"
}

# The first directory fills the provider cache alone; the rest only link to it, so they run two
# at a time (TF_TEST_JOBS), which the provider's start-up leaves room for on two cores.
max_jobs="${TF_TEST_JOBS:-2}"
for i in "${!dirs[@]}"; do
  d="${dirs[$i]}"
  out="$(dir_file "$d" .out)"
  if ((i == 0)); then
    run_dir "$d" >"$out"
    continue
  fi
  while (($(jobs -rp | wc -l) >= max_jobs)); do
    wait -n || true
  done
  run_dir "$d" >"$out" &
done
wait

# run_dir counted in its own variables: the totals here hold only the format check's problems.
for d in "${dirs[@]}"; do
  cat "$(dir_file "$d" .out)"
  if [[ ! -f "$(dir_file "$d" .counts)" ]]; then
    echo "FAIL: $d: the check ended without a result"
    problems=$((problems + 1))
    continue
  fi
  read -r p f s n <"$(dir_file "$d" .counts)"
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + s))
  problems=$((problems + n))
done

if ((skipped > 0)); then
  echo "terraform: $skipped run blocks skipped after an earlier failure"
fi
echo "terraform: $passed passed, $failed failed"

if ((problems > 0)); then
  exit 1
fi
