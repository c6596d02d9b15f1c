#!/usr/bin/env bash
# Deploys one version (a commit id) of Medallion to an environment, in order:
#
#   1. the cluster jar: --jar FILE, or built with ./mvnw -B -ntp -DskipTests package
#   2. terraform init of infra/envs/<env> (S3 backend)
#   3. publish the jar and the pipeline spec under artifacts/<version>/ (ci/publish.sh)
#   4. terraform plan with -var artifact_version=<version>, checked to run exactly
#      the published jar, then terraform apply of that plan
#   5. the topics job run (`topics --create`): creates the pipeline spec's
#      missing Kafka topics; waits until it succeeds (create_topics)
#   6. start the streaming job run, or replace it if it runs another version
#      (ci/streaming.sh)
#
# Terraform runs in a temporary copy of infra/ (see infra/lib.sh).
#
# --dry-run does all that needs no AWS account: checks (or builds) the jar,
# runs terraform init -backend=false and validate in the environment root,
# renders the job run requests offline from infra/modules/job_definitions (with
# placeholders for what only the account knows, and the environment's Glue
# databases from infra/modules/catalog_names), and shows every other step.

set -euo pipefail

USAGE="Usage: ci/deploy.sh --env dev|prod [--dry-run] [--jar FILE] [--version SHA]

  --env ENV      environment to deploy (infra/envs/ENV)
  --jar FILE     the cluster jar to deploy (default: build it with ./mvnw)
  --version SHA  commit id of the jar and spec (default: HEAD)
  --dry-run      offline: check the jar, validate the Terraform, render the
                 job run requests, and show the steps that need AWS

Environment: TF_PLUGIN_MIRROR, MEDALLION_TFVARS, TF_STATE_BUCKET, TF_STATE_REGION (see ci/README.md)."

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

env="" jar="" version=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --env) need_value "$@"; env="$2"; shift 2 ;;
    --jar) need_value "$@"; jar="$2"; shift 2 ;;
    --version) need_value "$@"; version="$2"; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) printf '%s\n' "$USAGE"; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

[[ -n "$env" ]] || usage_error "--env is required"
check_env "$env"
version="${version:-$(default_version)}"
check_version "$version"

if [[ "$DRY_RUN" == true ]]; then
  log "dry run: deploying version $version to $env"
else
  log "deploying version $version to $env"
fi

# 1. The jar.
if [[ -n "$jar" ]]; then
  check_jar "$jar"
else
  jar="$(build_jar)"
fi
log "1. jar: $jar ($(wc -c <"$jar") bytes)"

if ! command -v terraform >/dev/null 2>&1; then
  [[ "$DRY_RUN" == true ]] || die "terraform is not on PATH"
  echo "SKIPPED: terraform not on PATH (validate and request rendering not run)"
  exit 0
fi
ci_work_dir
dir="$(env_dir "$env")"
tf_var_file_args

# deploy_dry_run: steps 2-6 without an AWS account.
deploy_dry_run() {
  log "2. terraform init -backend=false + validate (infra/envs/$env)"
  if terraform -chdir="$dir" init -backend=false "${TF_INIT_ARGS[@]}" >"$WORK_DIR/init.log" 2>&1; then
    terraform -chdir="$dir" validate -no-color >"$WORK_DIR/validate.log" 2>&1 ||
      { cat "$WORK_DIR/validate.log" >&2; die "terraform validate failed in infra/envs/$env"; }
    printf '    terraform validate: ok\n' >&2
  elif [[ -z "${TF_PLUGIN_MIRROR:-}" ]] && grep -q 'could not connect to registry' "$WORK_DIR/init.log"; then
    # Offline without a provider mirror: nothing to validate against. The
    # rendering below needs no provider.
    printf '    SKIPPED terraform validate: the registry is unreachable; set TF_PLUGIN_MIRROR to a provider mirror\n' >&2
  else
    cat "$WORK_DIR/init.log" >&2
    die "terraform init failed in infra/envs/$env"
  fi
  printf '    would run: terraform init -backend-config=... (S3 state of %s)\n' "$env" >&2

  # The Glue databases the job runs register their tables in: the names the
  # catalog module gives its databases, from their one definition
  # (infra/modules/catalog_names, no provider) and the environment's
  # glue_database_names (MEDALLION_TFVARS, else the root's terraform.tfvars;
  # neither: the defaults). Never a copy of the names here.
  log "the Glue databases of $env (infra/modules/catalog_names)"
  local names_dir="$TF_INFRA_DIR/modules/catalog_names" names_var_file=() glue_databases
  if [[ ${#TF_VAR_FILE_ARGS[@]} -gt 0 ]]; then
    names_var_file=("${TF_VAR_FILE_ARGS[@]}")
  elif [[ -f "$dir/terraform.tfvars" ]]; then
    names_var_file=("-var-file=$dir/terraform.tfvars")
  fi
  {
    terraform -chdir="$names_dir" init "${TF_INIT_ARGS[@]}" &&
      terraform -chdir="$names_dir" plan -input=false -no-color "${names_var_file[@]}" -out="$WORK_DIR/names.tfplan" &&
      terraform -chdir="$names_dir" show -json "$WORK_DIR/names.tfplan" >"$WORK_DIR/names.json"
  } >"$WORK_DIR/names.log" 2>&1 || { cat "$WORK_DIR/names.log" >&2; die "rendering the Glue database names failed"; }
  glue_databases="$(json_get "$WORK_DIR/names.json" planned_values outputs layer_databases value)"
  [[ -n "$glue_databases" ]] || die "infra/modules/catalog_names rendered no layer_databases"
  printf '    %s\n' "$glue_databases" >&2

  # The requests come from the same module the environment uses; only the
  # values an AWS account knows are made up.
  log "rendering the job run requests with infra/modules/job_definitions (application, role, bucket, key and brokers are placeholders; the environment's Spark settings are left out)"
  local render_dir="$TF_INFRA_DIR/modules/job_definitions" render_vars="$WORK_DIR/dry-run.tfvars.json"
  cat >"$render_vars" <<JSON
{
  "glue_databases": $glue_databases,
  "name": "medallion-$env",
  "artifact_version": "$version",
  "application_id": "00dryrun00000000",
  "job_role_arn": "arn:aws:iam::000000000000:role/medallion-$env-job-runtime",
  "lake_bucket_name": "dry-run-medallion-$env-lake",
  "kms_key_arn": "arn:aws:kms:dry-run-1:000000000000:key/dry-run",
  "log_group_name": "/aws/emr-serverless/medallion-$env",
  "kafka_bootstrap_servers": "b-1.dry-run.kafka:9098,b-2.dry-run.kafka:9098,b-3.dry-run.kafka:9098"
}
JSON
  {
    terraform -chdir="$render_dir" init "${TF_INIT_ARGS[@]}" &&
      terraform -chdir="$render_dir" plan -input=false -no-color -var-file="$render_vars" -out="$WORK_DIR/render.tfplan" &&
      terraform -chdir="$render_dir" show -json "$WORK_DIR/render.tfplan" >"$WORK_DIR/render.json"
  } >"$WORK_DIR/render.log" 2>&1 || { cat "$WORK_DIR/render.log" >&2; die "rendering the job run requests failed"; }

  local artifact_uri request="$WORK_DIR/streaming-request.json"
  artifact_uri="$(json_get "$WORK_DIR/render.json" planned_values outputs artifact_uri value)"
  check_artifact_uris "$artifact_uri" \
    "$(json_get "$WORK_DIR/render.json" planned_values outputs jar_uri value)" \
    "$(json_get "$WORK_DIR/render.json" planned_values outputs pipeline_uri value)"

  log "3. publish"
  "$CI_DIR/publish.sh" --dry-run --to "$artifact_uri" --jar "$jar" --version "$version"

  log "4. terraform plan + apply"
  run terraform -chdir="$dir" plan -input=false -var "artifact_version=$version" "${TF_VAR_FILE_ARGS[@]}" -out=deploy.tfplan
  run terraform -chdir="$dir" apply -input=false deploy.tfplan

  json_get "$WORK_DIR/render.json" planned_values outputs topics_job_run_request value >"$WORK_DIR/topics-request.json"
  create_topics "$WORK_DIR/topics-request.json"

  log "6. streaming job run request:"
  json_get "$WORK_DIR/render.json" planned_values outputs streaming_job_run_request value >"$request"
  pretty_json <"$request" >&2
  log "   batch jobs the state machine runs (emr-serverless:startJobRun.sync parameters):"
  json_get "$WORK_DIR/render.json" planned_values outputs batch_state_machine_parameters value | pretty_json >&2
  "$CI_DIR/streaming.sh" --dry-run --request "$request"
}

# create_topics REQUEST: step 5, the `topics --create` job run of the
# StartJobRun request in the file REQUEST (Terraform's topics_job_run_request):
# it creates the pipeline spec's topics the cluster does not have yet (the job
# role may create exactly those). Starts it and waits until it is SUCCESS,
# so that the streaming job never starts without its topics; FAILED,
# CANCELLED or the request's time limit (plus 15 minutes to start) stop the
# deploy. With DRY_RUN=true, shows the request and the calls.
create_topics() {
  local request="$1" app_id run_id state deadline
  log "5. Kafka topics of the pipeline spec (topics --create):"
  [[ -s "$request" ]] || die "no topics_job_run_request from Terraform (infra/modules/job_definitions)"
  app_id="$(json_get "$request" applicationId)"
  deadline=$((SECONDS + ($(json_get "$request" executionTimeoutMinutes) + 15) * 60))
  if [[ "$DRY_RUN" == true ]]; then
    pretty_json <"$request" >&2
    run aws emr-serverless start-job-run --cli-input-json "file://$request"
    printf '    then: wait until the run is SUCCESS (FAILED or CANCELLED stop the deploy before the streaming job)\n' >&2
    return 0
  fi
  run_id="$(aws emr-serverless start-job-run --cli-input-json "file://$request" --query jobRunId --output text)"
  log "topics job run $run_id started"
  while true; do
    state="$(aws emr-serverless get-job-run --application-id "$app_id" --job-run-id "$run_id" --query jobRun.state --output text)"
    case "$state" in
      SUCCESS) log "topics job run $run_id: SUCCESS"; return 0 ;;
      FAILED | CANCELLED) die "topics job run $run_id ended in $state: the pipeline's Kafka topics may be missing (see its logs in CloudWatch, stream prefix $(json_get "$request" name))" ;;
    esac
    ((SECONDS < deadline)) || die "topics job run $run_id still $state at its time limit"
    sleep 15
  done
}

# check_artifact_uris FOLDER JAR_URI SPEC_URI: the jobs must run exactly what
# ci/publish.sh uploads into FOLDER.
check_artifact_uris() {
  [[ "$2" == "$1$JAR_OBJECT_NAME" && "$3" == "$1$SPEC_OBJECT_NAME" ]] ||
    die "Terraform runs $2 and $3, but ci/publish.sh uploads $1$JAR_OBJECT_NAME and $1$SPEC_OBJECT_NAME"
}

deploy() {
  require_command aws "the AWS CLI v2"
  if [[ "$version" == "$(git -C "$REPO_ROOT" rev-parse HEAD 2>/dev/null || true)" ]] &&
    [[ -n "$(git -C "$REPO_ROOT" status --porcelain 2>/dev/null || true)" ]]; then
    log "warning: the working tree has uncommitted changes; the jar may not match commit $version"
  fi

  log "2. terraform init"
  tf_init_env "$env"
  local artifacts_uri
  artifacts_uri="$(tf_output "$env" artifacts_uri 2>/dev/null)" ||
    die "infra/envs/$env has no outputs yet: apply it once by hand first (infra/README.md, \"First deployment\")"

  log "3. publish"
  "$CI_DIR/publish.sh" --to "$artifacts_uri$version/" --jar "$jar" --version "$version"

  log "4. terraform plan + apply"
  local plan="$WORK_DIR/deploy.tfplan"
  run terraform -chdir="$dir" plan -input=false -no-color -var "artifact_version=$version" "${TF_VAR_FILE_ARGS[@]}" -out="$plan"
  terraform -chdir="$dir" show -json "$plan" >"$WORK_DIR/plan.json"
  check_artifact_uris "$artifacts_uri$version/" \
    "$(json_get "$WORK_DIR/plan.json" planned_values outputs jar_uri value)" \
    "$(json_get "$WORK_DIR/plan.json" planned_values outputs pipeline_uri value)"
  run terraform -chdir="$dir" apply -input=false -no-color "$plan"

  tf_output "$env" topics_job_run_request >"$WORK_DIR/topics-request.json"
  create_topics "$WORK_DIR/topics-request.json"

  log "6. streaming job run"
  tf_output "$env" streaming_job_run_request >"$WORK_DIR/streaming-request.json"
  "$CI_DIR/streaming.sh" --request "$WORK_DIR/streaming-request.json"
}

if [[ "$DRY_RUN" == true ]]; then
  deploy_dry_run
  log "dry run of $env at $version: ok"
else
  deploy
  log "deployed $version to $env"
fi
