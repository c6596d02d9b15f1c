#!/usr/bin/env bash
# Smoke test of a deployed environment: the streaming job run is RUNNING, and
# one execution of the batch state machine (aggregate, then maintain) succeeds.
# The batch jobs are idempotent, so an extra run is harmless.

set -euo pipefail

USAGE="Usage: ci/smoke.sh --env dev|prod [--timeout-minutes N]

  --env ENV            environment to check (its Terraform outputs name the resources)
  --timeout-minutes N  how long the batch execution may take (default 90)"

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

env="" timeout_minutes=90
while [[ $# -gt 0 ]]; do
  case "$1" in
    --env) need_value "$@"; env="$2"; shift 2 ;;
    --timeout-minutes) need_value "$@"; timeout_minutes="$2"; shift 2 ;;
    -h | --help) printf '%s\n' "$USAGE"; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

[[ -n "$env" ]] || usage_error "--env is required"
check_env "$env"
[[ "$timeout_minutes" =~ ^[1-9][0-9]*$ ]] || usage_error "--timeout-minutes must be a positive whole number"

require_command terraform
require_command aws "the AWS CLI v2"
ci_work_dir
tf_init_env "$env"
app_id="$(tf_output "$env" emr_application_id)"
streaming_name="$(tf_output "$env" streaming_job_name)"
state_machine="$(tf_output "$env" batch_state_machine_arn)"
version="$(tf_output "$env" artifact_version)"

log "streaming job $streaming_name must be RUNNING"
running="$(aws emr-serverless list-job-runs --application-id "$app_id" --states RUNNING \
  --query "jobRuns[?name=='$streaming_name'].id" --output text)"
[[ -n "$running" && "$running" != "None" ]] || die "no RUNNING job run named $streaming_name on application $app_id"
log "ok: job run $running"

log "batch state machine: one execution must succeed"
execution="$(aws stepfunctions start-execution --state-machine-arn "$state_machine" \
  --name "smoke-${version:0:12}-$(date -u +%Y%m%dT%H%M%S)" --query executionArn --output text)"
log "execution $execution"

deadline=$((SECONDS + timeout_minutes * 60))
while true; do
  status="$(aws stepfunctions describe-execution --execution-arn "$execution" --query status --output text)"
  case "$status" in
    SUCCEEDED) log "ok: batch execution succeeded"; break ;;
    RUNNING | PENDING_REDRIVE) ;;
    *)
      aws stepfunctions describe-execution --execution-arn "$execution" --query '[error, cause]' --output text >&2 || true
      die "batch execution ended $status"
      ;;
  esac
  if ((SECONDS >= deadline)); then
    aws stepfunctions stop-execution --execution-arn "$execution" --cause "smoke test timeout" >/dev/null || true
    die "batch execution still $status after $timeout_minutes minutes (stopped)"
  fi
  sleep 30
done
log "smoke test of $env at $version: ok"
