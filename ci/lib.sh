# shellcheck shell=bash disable=SC2034
# (SC2034: the constants here are used by the scripts that source this file.)
#
# Shared by the ci/ scripts: paths, messages, argument checks, the jobs jar,
# Terraform in an environment root, JSON. Source it after `set -euo pipefail`,
# with USAGE set to the script's usage text.
#
# Environment read here:
#   TF_PLUGIN_MIRROR       offline provider mirror (see infra/lib.sh)
#   MEDALLION_TFVARS       optional .tfvars file for the environment root
#                          (default: the root's own terraform.tfvars, if any)
#   TF_STATE_BUCKET        state bucket, when infra/envs/<env>/backend.hcl is
#   TF_STATE_REGION        absent (as in CI); the key is medallion/<env>/terraform.tfstate

CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CI_DIR/.." && pwd)"
SCRIPT_NAME="$(basename "$0")"

# shellcheck source=SCRIPTDIR/../infra/lib.sh
source "$REPO_ROOT/infra/lib.sh"

ENVIRONMENTS=(dev prod)

# The names of the two artifacts inside a version's folder. Terraform builds
# the same URIs (infra/modules/job_definitions); deploy.sh checks that the two
# agree before anything runs.
JAR_OBJECT_NAME="medallion-jobs-spark.jar"
SPEC_OBJECT_NAME="pipeline.yaml"
DEFAULT_SPEC_DIR="$REPO_ROOT/pipelines/engagement"

DRY_RUN=false

log() { printf '==> %s\n' "$*" >&2; }

die() {
  printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 1
}

usage_error() {
  printf '%s: %s\n\n%s\n' "$SCRIPT_NAME" "$1" "$USAGE" >&2
  exit 2
}

# need_value OPTION [VALUE]: fails with a usage error unless OPTION has a value.
need_value() {
  if [[ $# -lt 2 || -z "$2" || "$2" == -* ]]; then
    usage_error "$1 needs a value"
  fi
}

check_env() {
  local e
  for e in "${ENVIRONMENTS[@]}"; do
    [[ "$1" == "$e" ]] && return 0
  done
  usage_error "unknown environment '$1' (expected one of: ${ENVIRONMENTS[*]})"
}

check_version() {
  [[ "$1" =~ ^[0-9a-f]{7,40}$ ]] ||
    usage_error "--version must be a git commit id (7-40 lowercase hex characters), not '$1'"
}

# The commit being deployed; CI passes --version explicitly.
default_version() {
  git -C "$REPO_ROOT" rev-parse HEAD 2>/dev/null ||
    die "not a git checkout: pass --version <commit id>"
}

# run CMD...: runs CMD, or with DRY_RUN=true only shows it.
run() {
  if [[ "$DRY_RUN" == true ]]; then
    printf '    would run: %s\n' "$(printf '%q ' "$@")" >&2
  else
    printf '    + %s\n' "$(printf '%q ' "$@")" >&2
    "$@"
  fi
}

require_command() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not on PATH${2:+ ($2)}"
}

################################################################################
# The jobs jar
################################################################################

# Builds the cluster jar (tests are the PR build's job) and prints its path.
build_jar() {
  log "building the jobs jar: ./mvnw -B -ntp -DskipTests package"
  (cd "$REPO_ROOT" && ./mvnw -B -ntp -DskipTests package) >&2
  find_jar
}

# Prints the path of the newest jobs/target/medallion-jobs-*-spark.jar.
find_jar() {
  local jar="" f
  for f in "$REPO_ROOT"/jobs/target/medallion-jobs-*-spark.jar; do
    [[ -f "$f" ]] || continue
    if [[ -z "$jar" || "$f" -nt "$jar" ]]; then
      jar="$f"
    fi
  done
  [[ -n "$jar" ]] || die "no jobs/target/medallion-jobs-*-spark.jar: build it with ./mvnw -B -ntp -DskipTests package"
  printf '%s\n' "$jar"
}

check_jar() {
  [[ -f "$1" && -s "$1" ]] || die "jar not found or empty: $1"
}

################################################################################
# Terraform in an environment root
################################################################################

# ci_work_dir: a temporary directory, removed on exit, with a copy of infra/
# to run Terraform in (tf_prepare in infra/lib.sh).
ci_work_dir() {
  WORK_DIR="$(mktemp -d)"
  trap 'rm -rf -- "$WORK_DIR"' EXIT
  tf_prepare "$WORK_DIR"
}

# env_dir ENV: the environment root in the copy of infra/ (after ci_work_dir).
env_dir() { printf '%s/envs/%s\n' "$TF_INFRA_DIR" "$1"; }

# tf_init_env ENV: `terraform init` of the environment root with its S3 backend.
tf_init_env() {
  local env="$1" dir args
  dir="$(env_dir "$env")"
  args=("${TF_INIT_ARGS[@]}")
  if [[ -f "$dir/backend.hcl" ]]; then
    args+=("-backend-config=backend.hcl")
  elif [[ -n "${TF_STATE_BUCKET:-}" && -n "${TF_STATE_REGION:-}" ]]; then
    args+=(
      "-backend-config=bucket=$TF_STATE_BUCKET"
      "-backend-config=key=medallion/$env/terraform.tfstate"
      "-backend-config=region=$TF_STATE_REGION"
    )
  else
    die "no backend settings for $env: create infra/envs/$env/backend.hcl (see backend.hcl.example) or set TF_STATE_BUCKET and TF_STATE_REGION"
  fi
  log "terraform init ($env)"
  terraform -chdir="$dir" init "${args[@]}" >&2
}

# tf_var_file_args: sets the array TF_VAR_FILE_ARGS to -var-file=... when
# MEDALLION_TFVARS is set (else Terraform reads the root's terraform.tfvars).
tf_var_file_args() {
  TF_VAR_FILE_ARGS=()
  if [[ -n "${MEDALLION_TFVARS:-}" ]]; then
    [[ -f "$MEDALLION_TFVARS" ]] || die "MEDALLION_TFVARS is not a file: $MEDALLION_TFVARS"
    TF_VAR_FILE_ARGS=("-var-file=$(cd "$(dirname "$MEDALLION_TFVARS")" && pwd)/$(basename "$MEDALLION_TFVARS")")
  fi
}

# tf_output ENV NAME: an output of the environment's state (after tf_init_env).
tf_output() {
  terraform -chdir="$(env_dir "$1")" output -raw "$2"
}

################################################################################
# JSON
################################################################################

pretty_json() {
  if command -v jq >/dev/null 2>&1; then
    jq .
  else
    python3 -m json.tool
  fi
}

# json_get FILE KEY...: the value at the path KEY... of the JSON in FILE, raw.
json_get() {
  local file="$1"
  shift
  if command -v jq >/dev/null 2>&1; then
    jq -r 'getpath($ARGS.positional) // empty | if type == "string" then . else tojson end' "$file" --args "$@"
  else
    python3 - "$file" "$@" <<'PY'
import json, sys
value = json.load(open(sys.argv[1]))
for key in sys.argv[2:]:
    value = value.get(key) if isinstance(value, dict) else None
if value is not None:
    print(value if isinstance(value, str) else json.dumps(value))
PY
  fi
}
