#!/usr/bin/env bash
# Publishes the jobs jar and the pipeline spec of one version (a commit id) to
# the environment's artifacts prefix:
#
#   s3://<lake bucket>/artifacts/<version>/medallion-jobs-spark.jar
#   s3://<lake bucket>/artifacts/<version>/pipeline.yaml   (+ the spec's folder)
#
# A version is published once: if its jar is already there, nothing is
# uploaded, so a job run never sees its artifacts change under it.

set -euo pipefail

USAGE="Usage: ci/publish.sh --jar FILE (--env dev|prod | --to s3://BUCKET/PREFIX/VERSION/)
                      [--version SHA] [--spec-dir DIR] [--dry-run]

  --jar FILE      the cluster jar (jobs/target/medallion-jobs-<v>-spark.jar)
  --env ENV       publish under the environment's artifacts_uri (Terraform output)
  --to URI        publish into this version folder instead (must end with /)
  --version SHA   commit id the artifacts are built from (default: HEAD)
  --spec-dir DIR  folder of pipeline.yaml and its SQL files (default: pipelines/engagement)
  --dry-run       check the files and show the uploads without running them"

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

env="" to="" jar="" version="" spec_dir="$DEFAULT_SPEC_DIR"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --env) need_value "$@"; env="$2"; shift 2 ;;
    --to) need_value "$@"; to="$2"; shift 2 ;;
    --jar) need_value "$@"; jar="$2"; shift 2 ;;
    --version) need_value "$@"; version="$2"; shift 2 ;;
    --spec-dir) need_value "$@"; spec_dir="$2"; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) printf '%s\n' "$USAGE"; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

[[ -n "$jar" ]] || usage_error "--jar is required"
[[ -n "$env" || -n "$to" ]] || usage_error "give --env or --to"
[[ -z "$env" || -z "$to" ]] || usage_error "give --env or --to, not both"
[[ -z "$env" ]] || check_env "$env"
[[ -z "$to" || "$to" =~ ^s3://[a-z0-9.-]+/.+/$ ]] || usage_error "--to must be an s3:// folder URI ending with /"
version="${version:-$(default_version)}"
check_version "$version"

check_jar "$jar"
[[ -f "$spec_dir/$SPEC_OBJECT_NAME" ]] || die "no $SPEC_OBJECT_NAME in $spec_dir"

if [[ -z "$to" ]]; then
  if [[ "$DRY_RUN" == true ]]; then
    to="s3://<lake bucket of $env>/artifacts/$version/"
  else
    require_command terraform
    ci_work_dir
    tf_init_env "$env"
    to="$(tf_output "$env" artifacts_uri)$version/"
  fi
fi

log "publishing version $version to $to"
if [[ "$DRY_RUN" == false ]]; then
  require_command aws "the AWS CLI v2"
  if aws s3 ls "$to$JAR_OBJECT_NAME" >/dev/null 2>&1; then
    log "already published: $to$JAR_OBJECT_NAME (versions are immutable; nothing uploaded)"
    exit 0
  fi
fi

# The spec first, the jar last: a present jar marks a complete version.
run aws s3 cp --recursive --only-show-errors "$spec_dir/" "$to"
run aws s3 cp --only-show-errors "$jar" "$to$JAR_OBJECT_NAME"
if [[ "$DRY_RUN" == true ]]; then
  log "dry run: nothing uploaded"
else
  log "published $to$JAR_OBJECT_NAME and $to$SPEC_OBJECT_NAME"
fi
