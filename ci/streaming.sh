#!/usr/bin/env bash
# Starts the streaming ingest and refine job of an environment, or replaces the
# running one when its artifact version differs. Two runs of the job must
# never overlap (they would share checkpoints), so the old run is cancelled and
# gone before the new one starts; the new run resumes from the checkpoints.

set -euo pipefail

USAGE="Usage: ci/streaming.sh (--env dev|prod | --request FILE) [--dry-run] [--timeout-minutes N]

  --env ENV            use the environment's streaming_job_run_request (Terraform output)
  --request FILE       use this StartJobRun request (JSON) instead
  --timeout-minutes N  how long to wait for the old run to stop and the new one to run (default 20)
  --dry-run            show what would be done"

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

env="" request="" timeout_minutes=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --env) need_value "$@"; env="$2"; shift 2 ;;
    --request) need_value "$@"; request="$2"; shift 2 ;;
    --timeout-minutes) need_value "$@"; timeout_minutes="$2"; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) printf '%s\n' "$USAGE"; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

[[ -n "$env" || -n "$request" ]] || usage_error "give --env or --request"
[[ -z "$env" || -z "$request" ]] || usage_error "give --env or --request, not both"
[[ -z "$env" ]] || check_env "$env"
[[ "$timeout_minutes" =~ ^[1-9][0-9]*$ ]] || usage_error "--timeout-minutes must be a positive whole number"

if [[ -n "$env" ]]; then
  [[ "$DRY_RUN" == false ]] || usage_error "--dry-run needs --request (the request comes from the environment's state)"
  require_command terraform
  ci_work_dir
  tf_init_env "$env"
  request="$WORK_DIR/streaming-request.json"
  tf_output "$env" streaming_job_run_request >"$request"
fi
[[ -f "$request" ]] || die "no such request file: $request"

app_id="$(json_get "$request" applicationId)"
name="$(json_get "$request" name)"
version="$(json_get "$request" tags medallion:artifact-version)"
[[ -n "$app_id" && -n "$name" && -n "$version" ]] ||
  die "$request is not a streaming StartJobRun request (applicationId, name, tags.medallion:artifact-version)"

deadline=$((SECONDS + timeout_minutes * 60))

# job_state RUN_ID: the job run's state (SUBMITTED, PENDING, SCHEDULED, RUNNING, SUCCESS, FAILED, CANCELLING, CANCELLED).
job_state() {
  aws emr-serverless get-job-run --application-id "$app_id" --job-run-id "$1" \
    --query 'jobRun.state' --output text
}

# wait_for RUN_ID STATE...: waits until the run is in one of STATEs; fails on a
# terminal state that is not among them, or at the deadline.
wait_for() {
  local run_id="$1" state
  shift
  while true; do
    state="$(job_state "$run_id")"
    if [[ " $* " == *" $state "* ]]; then
      return 0
    fi
    case "$state" in
      SUCCESS | FAILED | CANCELLED) die "job run $run_id ended in $state (see its logs in CloudWatch)" ;;
    esac
    ((SECONDS < deadline)) || die "job run $run_id still $state after $timeout_minutes minutes"
    sleep 15
  done
}

log "streaming job $name, artifact version $version, application $app_id"

if [[ "$DRY_RUN" == true ]]; then
  run aws emr-serverless list-job-runs --application-id "$app_id" --states SUBMITTED PENDING SCHEDULED RUNNING
  printf '    then: cancel runs named %s of another version and wait until they are cancelled\n' "$name" >&2
  run aws emr-serverless start-job-run --cli-input-json "file://$request"
  printf '    then: wait until the new run is RUNNING\n' >&2
  exit 0
fi

require_command aws "the AWS CLI v2"
active="$(aws emr-serverless list-job-runs --application-id "$app_id" \
  --states SUBMITTED PENDING SCHEDULED RUNNING \
  --query "jobRuns[?name=='$name'].id" --output text)"

for run_id in $active; do
  running_version="$(aws emr-serverless get-job-run --application-id "$app_id" --job-run-id "$run_id" \
    --query 'jobRun.tags."medallion:artifact-version"' --output text)"
  if [[ "$running_version" == "$version" ]]; then
    log "job run $run_id already runs version $version; nothing to do"
    exit 0
  fi
  log "cancelling job run $run_id (version $running_version)"
  run aws emr-serverless cancel-job-run --application-id "$app_id" --job-run-id "$run_id" >/dev/null
  wait_for "$run_id" CANCELLED FAILED SUCCESS
done

log "starting $name at version $version"
new_id="$(aws emr-serverless start-job-run --cli-input-json "file://$request" --query jobRunId --output text)"
wait_for "$new_id" RUNNING
log "job run $new_id is RUNNING"
