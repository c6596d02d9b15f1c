# shellcheck shell=bash
# Terraform helpers shared by infra/test.sh and the ci/ scripts. Source it; it
# only defines functions.
#
# Environment:
#   TF_PLUGIN_MIRROR     optional; a provider mirror directory (the layout of
#                        `terraform providers mirror`). When set, providers are
#                        installed from it with -plugin-dir (offline); when
#                        unset, they are downloaded from the registry.
#   TF_PLUGIN_CACHE_DIR  optional; kept when set, else a directory under the
#                        work directory given to tf_prepare.

# tf_prepare WORK_DIR
#   Sets up Terraform for unattended runs that keep their working files under
#   WORK_DIR, and fills the array TF_INIT_ARGS with the `terraform init` flags
#   every caller needs (callers add -backend=false or -backend-config).
tf_prepare() {
  local work_dir="$1"
  export TF_IN_AUTOMATION=1
  # One provider copy for all directories instead of one per directory. The
  # lock files are git-ignored and throw-away, so the cache may fill them in.
  export TF_PLUGIN_CACHE_DIR="${TF_PLUGIN_CACHE_DIR:-$work_dir/plugin-cache}"
  export TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE=1
  mkdir -p "$TF_PLUGIN_CACHE_DIR"

  TF_INIT_ARGS=(-input=false -no-color)
  if [[ -n "${TF_PLUGIN_MIRROR:-}" ]]; then
    TF_INIT_ARGS+=("-plugin-dir=$TF_PLUGIN_MIRROR")
  fi
}

TF_CREATED_LOCK_FILES=()

# tf_isolate WORK_DIR DIR
#   Keeps DIR's .terraform/ under WORK_DIR (TF_DATA_DIR), and remembers DIR's
#   lock file for tf_remove_created_lock_files when `init` is about to create it.
tf_isolate() {
  local work_dir="$1" dir="$2" abs
  abs="$(cd "$dir" && pwd)"
  export TF_DATA_DIR="$work_dir/data${abs//\//_}"
  if [[ ! -e "$abs/.terraform.lock.hcl" ]]; then
    TF_CREATED_LOCK_FILES+=("$abs/.terraform.lock.hcl")
  fi
}

# tf_remove_created_lock_files
#   Removes the lock files that runs after tf_isolate created.
tf_remove_created_lock_files() {
  local f
  for f in "${TF_CREATED_LOCK_FILES[@]}"; do
    rm -f -- "$f"
  done
}
