#!/usr/bin/env bash
# Applies envs/dev, for real, to an emulated AWS (moto) and checks through the
# AWS API what was created; then deploys with ci/deploy.sh (not --dry-run)
# and checks what it published and the job runs it started; then destroys
# the environment and checks that nothing is left.
#
# Usage: infra/moto/test.sh [JAR]
#
#   JAR  the cluster jar to deploy (jobs/target/medallion-jobs-<v>-spark.jar);
#        default: a small dummy file (moto runs no job, it only records them)
#
# In order:
#   1. moto on a free port of 127.0.0.1, over TLS (server.py: moto_server with
#      the corrections listed in infra/README.md, "Terraform against moto")
#   2. seed what the environment expects to exist: VPC and subnets, the state
#      bucket and key (as infra/bootstrap makes them), the analysts', operators'
#      and CI roles; write the environment's tfvars
#   3. terraform init (the S3 backend, in moto) + apply of envs/dev, in a copy
#      of infra/ (tf_prepare, infra/lib.sh); check the result (assert_env.py)
#   4. terraform plan -detailed-exitcode: no changes; then, with the lake
#      bucket's versioning suspended through the API, a plan that restores it
#   5. ci/streaming.sh --env dev (a streaming run of the first version), then
#      ci/deploy.sh --env dev --jar JAR --version <second version>, with moto's
#      request recorder on; check the objects, the job runs and the requests
#   6. terraform plan again: no changes after the deploy (whose apply also
#      restored the versioning)
#   7. cancel the job runs, stop the application, terraform destroy; check
#      that nothing of the environment is left
#
# Ends with "moto: N checks passed, M failed" and exits non-zero on any
# failure. Prints a SKIPPED line and exits 0 without terraform on PATH or
# without a python3 that imports moto (moto[server] 5.x) and boto3.
# ci/deploy.sh also needs the AWS CLI (`aws`); without it step 5 is skipped.
#
# Environment: TF_PLUGIN_MIRROR, TF_PLUGIN_CACHE_DIR (as infra/test.sh).
# Everything AWS-related is set here: endpoint (AWS_ENDPOINT_URL, which
# Terraform's AWS provider and S3 backend, the AWS CLI and boto3 all honour),
# dummy credentials, an empty AWS config, the CA bundle of moto's certificate.

set -euo pipefail

# No __pycache__ next to server.py and assert_env.py in the source tree.
export PYTHONDONTWRITEBYTECODE=1

moto_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
infra_dir="$(cd "$moto_dir/.." && pwd)"
repo_root="$(cd "$infra_dir/.." && pwd)"

if ! command -v terraform >/dev/null 2>&1; then
  echo "SKIPPED: terraform not on PATH"
  exit 0
fi
if ! python3 -c 'import sys, boto3, cryptography, moto, moto.server; sys.exit(int(moto.__version__.split(".")[0]) != 5)' >/dev/null 2>&1; then
  echo "SKIPPED: python3 cannot import moto[server] 5.x and boto3 (pip install 'moto[server]>=5,<6' boto3)"
  exit 0
fi

jar="${1:-}"
if [[ -n "$jar" && ! -s "$jar" ]]; then
  echo "infra/moto/test.sh: the jar $jar is missing or empty" >&2
  exit 2
fi

# shellcheck source=SCRIPTDIR/../lib.sh
source "$infra_dir/lib.sh"

env_name=dev
# Two commit ids (fake): the first apply runs v1, the deploy replaces it with v2.
v1=1111111111111111111111111111111111111111
v2=2222222222222222222222222222222222222222
spec_dir="$repo_root/pipelines/engagement"

work_dir="$(mktemp -d)"
moto_pid=""
cleanup() {
  if [[ -n "$moto_pid" ]]; then
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
  fi
  rm -rf -- "$work_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n "$jar" ]]; then
  jar_note="$jar"
else
  jar="$work_dir/medallion-jobs-moto-spark.jar"
  printf 'not a jar: a stand-in for jobs/target/medallion-jobs-*-spark.jar (infra/moto/test.sh)\n' >"$jar"
  jar_note="a dummy file (pass the real one as the argument to deploy it)"
fi

passed=0
failed=0
started=$SECONDS

ok() {
  passed=$((passed + 1))
  echo "  ok    $1"
}

# not_ok WHAT [LOG]: a failed check, with the end of its log.
not_ok() {
  failed=$((failed + 1))
  echo "  FAIL  $1"
  if [[ -n "${2:-}" && -s "$2" ]]; then
    tail -n 40 "$2" | sed 's/^/        /'
  fi
}

stage() {
  echo "== $1 ($((SECONDS - started))s)"
}

summary() {
  echo "moto: $passed checks passed, $failed failed ($((SECONDS - started))s)"
}

# checks STAGE ARGS...: runs assert_env.py STAGE and adds its counts.
checks() {
  local stage_name="$1" counts="$work_dir/$1.counts"
  shift
  python3 "$moto_dir/assert_env.py" "$stage_name" --counts "$counts" "$@" || true
  if [[ -s "$counts" ]]; then
    local p f
    read -r p f <"$counts"
    passed=$((passed + p))
    failed=$((failed + f))
  else
    not_ok "assert_env.py $stage_name ended without a result"
  fi
}

# tf LOG SECONDS ARGS...: terraform ARGS in the environment root, its output in LOG, with a time limit.
tf() {
  local log="$1" limit="$2"
  shift 2
  timeout --kill-after=10 "$limit" terraform -chdir="$env_dir" "$@" >"$log" 2>&1
}

# tf_no_changes WHAT VERSION: a plan of VERSION must have no changes.
tf_no_changes() {
  local log="$work_dir/plan-$2.log" status=0
  tf "$log" 300 plan -detailed-exitcode -input=false -no-color -lock=false -var-file="$tfvars" -var "artifact_version=$2" || status=$?
  case "$status" in
    0) ok "$1: terraform plan has no changes" ;;
    2)
      grep -E '^  # ' "$log" >"$log.changes" || true
      not_ok "$1: terraform plan has changes (drift between what was applied and what moto returns)" "$log.changes"
      ;;
    *) not_ok "$1: terraform plan failed (exit $status)" "$log" ;;
  esac
}

# tf_sees_change WHAT VERSION ADDRESS: a plan of VERSION must change ADDRESS.
tf_sees_change() {
  local log="$work_dir/plan-change.log" status=0
  tf "$log" 300 plan -detailed-exitcode -input=false -no-color -lock=false -var-file="$tfvars" -var "artifact_version=$2" || status=$?
  if ((status == 2)) && grep -qF "# $3 will be updated in-place" "$log"; then
    ok "$1: terraform plan updates $3"
  else
    grep -E '^  # ' "$log" >"$log.changes" || true
    not_ok "$1: terraform plan (exit $status) does not update $3" "$log.changes"
  fi
}

################################################################################
stage "1. moto"
# start_moto: moto on a free port, over TLS; waits until it answers with its
# own certificate (at most 60 s). Sets port and moto_pid.
start_moto() {
  rm -rf "$work_dir/tls"
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  MOTO_RECORDER_FILEPATH="$work_dir/recording.jsonl" \
    python3 "$moto_dir/server.py" --port "$port" --tls-dir "$work_dir/tls" >"$work_dir/moto.log" 2>&1 &
  moto_pid=$!
  python3 - "$port" "$work_dir/tls/cert.pem" "$moto_pid" <<'PY'
import os, ssl, sys, time, urllib.request

port, cert, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("moto_server exited")
    if os.path.exists(cert):
        try:
            context = ssl.create_default_context(cafile=cert)
            urllib.request.urlopen(f"https://127.0.0.1:{port}/moto-api/", context=context, timeout=2).read()
            sys.exit(0)
        except (OSError, ssl.SSLError):
            pass
    time.sleep(0.2)
sys.exit("moto_server did not answer within 60 s")
PY
}

# The port is free when it is picked, but another process may take it before
# moto binds it: then moto exits, and another port is tried.
for attempt in 1 2 3; do
  if start_moto >"$work_dir/moto-wait.log" 2>&1; then
    break
  fi
  kill "$moto_pid" 2>/dev/null || true
  wait "$moto_pid" 2>/dev/null || true
  moto_pid=""
  if ((attempt == 3)); then
    cat "$work_dir/moto-wait.log" >>"$work_dir/moto.log"
    not_ok "moto_server did not start" "$work_dir/moto.log"
    summary
    exit 1
  fi
done
ok "moto_server answers on https://127.0.0.1:$port"

# Only moto: its endpoint for every service, dummy credentials, no shared
# config or profile, no instance metadata; the CA bundle trusts moto's certificate.
while read -r name; do
  unset "$name"
done < <(compgen -e | grep -E '^AWS_' || true)
: >"$work_dir/aws-config"
: >"$work_dir/aws-credentials"
export AWS_ENDPOINT_URL="https://127.0.0.1:$port"
export AWS_CA_BUNDLE="$work_dir/tls/cert.pem"
export AWS_ACCESS_KEY_ID=moto AWS_SECRET_ACCESS_KEY=moto
export AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1
export AWS_CONFIG_FILE="$work_dir/aws-config" AWS_SHARED_CREDENTIALS_FILE="$work_dir/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true
# A call moto does not implement fails in a few attempts, not after minutes of retries.
export AWS_MAX_ATTEMPTS=3

################################################################################
stage "2. seed"
tfvars="$work_dir/moto.tfvars.json"
if python3 "$moto_dir/assert_env.py" seed --tfvars "$tfvars" --seeded "$work_dir/seeded.json" >"$work_dir/seed.log" 2>&1; then
  ok "seeded VPC, subnets, state bucket and key, principals' roles"
else
  not_ok "seeding moto failed" "$work_dir/seed.log"
  summary
  exit 1
fi
state_bucket="$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import assert_env; print(assert_env.STATE_BUCKET)' "$moto_dir")"

################################################################################
stage "3. terraform init + apply of envs/$env_name ($v1)"
tf_prepare "$work_dir"
env_dir="$TF_INFRA_DIR/envs/$env_name"
if ! tf "$work_dir/init.log" 300 init "${TF_INIT_ARGS[@]}" \
  "-backend-config=bucket=$state_bucket" \
  "-backend-config=key=medallion/$env_name/terraform.tfstate" \
  "-backend-config=region=$AWS_REGION"; then
  not_ok "terraform init (S3 backend in moto)" "$work_dir/init.log"
  summary
  exit 1
fi
ok "terraform init with the S3 backend (state bucket in moto)"

if tf "$work_dir/apply.log" 420 apply -auto-approve -input=false -no-color -var-file="$tfvars" -var "artifact_version=$v1"; then
  ok "terraform apply of envs/$env_name"
else
  not_ok "terraform apply of envs/$env_name" "$work_dir/apply.log"
  summary
  exit 1
fi
terraform -chdir="$env_dir" output -json >"$work_dir/outputs-applied.json" 2>"$work_dir/output.log" ||
  not_ok "terraform output" "$work_dir/output.log"
checks applied --outputs "$work_dir/outputs-applied.json" --seeded "$work_dir/seeded.json" --version "$v1"

################################################################################
stage "4. second plan"
tf_no_changes "after apply" "$v1"
# The plan reads what moto has, not only Terraform's state: a change made
# outside Terraform shows. (The deploy's apply undoes it; see step 6.)
if python3 "$moto_dir/assert_env.py" tamper >"$work_dir/tamper.log" 2>&1; then
  tf_sees_change "lake bucket versioning suspended outside Terraform" "$v1" \
    module.platform.module.lake_storage.aws_s3_bucket_versioning.this
else
  not_ok "suspending the lake bucket's versioning" "$work_dir/tamper.log"
fi

################################################################################
stage "5. ci/deploy.sh --env $env_name ($v2)"
echo "   jar: $jar_note"

if command -v aws >/dev/null 2>&1; then
  export TF_STATE_BUCKET="$state_bucket" TF_STATE_REGION="$AWS_REGION" MEDALLION_TFVARS="$tfvars"
  if timeout --kill-after=10 120 "$repo_root/ci/streaming.sh" --env "$env_name" >"$work_dir/streaming.log" 2>&1; then
    ok "ci/streaming.sh --env $env_name: the streaming run of $v1 is RUNNING"
  else
    not_ok "ci/streaming.sh --env $env_name" "$work_dir/streaming.log"
  fi

  python3 "$moto_dir/assert_env.py" recording start || not_ok "starting moto's recorder"
  deploy_status=0
  timeout --kill-after=10 420 "$repo_root/ci/deploy.sh" --env "$env_name" --jar "$jar" --version "$v2" \
    >"$work_dir/deploy.log" 2>&1 || deploy_status=$?
  python3 "$moto_dir/assert_env.py" recording stop || not_ok "stopping moto's recorder"
  if ((deploy_status == 0)); then
    ok "ci/deploy.sh --env $env_name --version $v2"
  else
    not_ok "ci/deploy.sh --env $env_name --version $v2 (exit $deploy_status)" "$work_dir/deploy.log"
  fi
  terraform -chdir="$env_dir" output -json >"$work_dir/outputs-deployed.json" 2>"$work_dir/output.log" ||
    not_ok "terraform output" "$work_dir/output.log"
  checks deployed --outputs "$work_dir/outputs-deployed.json" --version "$v2" --old-version "$v1" \
    --jar "$jar" --spec-dir "$spec_dir" --recording "$work_dir/recording.jsonl"

  stage "6. plan after the deploy"
  tf_no_changes "after the deploy" "$v2"
  version="$v2"
  outputs="$work_dir/outputs-deployed.json"
else
  echo "SKIPPED: ci/deploy.sh (the AWS CLI, aws, is not on PATH)"
  version="$v1"
  outputs="$work_dir/outputs-applied.json"
fi

################################################################################
stage "7. terraform destroy"
checks teardown --outputs "$outputs"
if tf "$work_dir/destroy.log" 420 destroy -auto-approve -input=false -no-color -var-file="$tfvars" -var "artifact_version=$version"; then
  ok "terraform destroy of envs/$env_name"
else
  not_ok "terraform destroy of envs/$env_name" "$work_dir/destroy.log"
fi
checks destroyed --outputs "$outputs"

summary
((failed == 0))
