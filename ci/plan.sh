#!/usr/bin/env bash
# Shows what a deploy of a version would change in an environment:
# terraform init (S3 backend) and terraform plan with -var artifact_version.
# Read-only: the state is not locked, so a role that may only read can run it
# (pull requests).

set -euo pipefail

USAGE="Usage: ci/plan.sh --env dev|prod [--version SHA]

  --env ENV      environment (infra/envs/ENV)
  --version SHA  commit id to plan for (default: HEAD)

Environment: TF_PLUGIN_MIRROR, MEDALLION_TFVARS, TF_STATE_BUCKET, TF_STATE_REGION (see ci/README.md)."

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

env="" version=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --env) need_value "$@"; env="$2"; shift 2 ;;
    --version) need_value "$@"; version="$2"; shift 2 ;;
    -h | --help) printf '%s\n' "$USAGE"; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

[[ -n "$env" ]] || usage_error "--env is required"
check_env "$env"
version="${version:-$(default_version)}"
check_version "$version"

require_command terraform
ci_work_dir
tf_init_env "$env"
tf_var_file_args

log "terraform plan of $env at version $version"
terraform -chdir="$(env_dir "$env")" plan -input=false -no-color -lock=false \
  -var "artifact_version=$version" "${TF_VAR_FILE_ARGS[@]}"
