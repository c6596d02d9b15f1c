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

TF_LIB_INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# tf_prepare WORK_DIR
#   Sets up Terraform for unattended runs and copies infra/ (without any
#   .terraform/) to WORK_DIR/infra, whose path it puts in TF_INFRA_DIR: run
#   Terraform there. Terraform writes .terraform/ and .terraform.lock.hcl next
#   to the configuration; in the copy they never touch the source tree, and
#   runs at the same time (a build, a dry run) cannot remove each other's
#   lock files. The repository's pipelines/ is copied next to it
#   (WORK_DIR/pipelines), where it is in the checkout: the environments read
#   the pipeline spec (their Kafka topics) at
#   envs/<env>/../../../pipelines/engagement/pipeline.yaml. Also fills the
#   array TF_INIT_ARGS with the `terraform init` flags every caller needs
#   (callers add -backend=false or -backend-config).
tf_prepare() {
  local work_dir="$1"
  export TF_IN_AUTOMATION=1
  # One provider copy for all directories instead of one per directory. The
  # lock files are throw-away copies, so the cache may fill them in.
  export TF_PLUGIN_CACHE_DIR="${TF_PLUGIN_CACHE_DIR:-$work_dir/plugin-cache}"
  export TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE=1
  mkdir -p "$TF_PLUGIN_CACHE_DIR"

  TF_INIT_ARGS=(-input=false -no-color)
  if [[ -n "${TF_PLUGIN_MIRROR:-}" ]]; then
    TF_INIT_ARGS+=("-plugin-dir=$TF_PLUGIN_MIRROR")
  fi

  TF_INFRA_DIR="$work_dir/infra"
  mkdir -p "$TF_INFRA_DIR"
  tar -C "$TF_LIB_INFRA_DIR" --exclude=.terraform -cf - . | tar -C "$TF_INFRA_DIR" -xf -
  if [[ -d "$TF_LIB_INFRA_DIR/../pipelines" ]]; then
    mkdir -p "$work_dir/pipelines"
    tar -C "$TF_LIB_INFRA_DIR/../pipelines" -cf - . | tar -C "$work_dir/pipelines" -xf -
  fi
}
