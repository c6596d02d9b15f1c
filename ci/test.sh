#!/usr/bin/env bash
# Checks the CI layer: shellcheck on the scripts of ci/ and infra/; the
# workflows parse, pin every action by commit, keep permissions and run time
# bounded, assume the deploy roles only in jobs of a GitHub environment (whose
# protection rules gate them; the roles trust only that environment's token),
# and call only ci/ scripts that exist; the build's Spark and Delta versions
# recorded in infra/modules/emr_serverless are pom.xml's; bad deploy arguments
# are refused; Terraform declares no Glue table (the jobs register them); and
# `ci/deploy.sh --dry-run --env dev --jar JAR` succeeds (with a tfvars that
# names three of the Glue databases), its streaming request authenticating with
# --kafka-auth, its topics job (`topics --create`, before the streaming job)
# against the same cluster, and every job run registering its tables in the
# environment's Glue databases (--catalog glue --glue-database LAYER=NAME).
#
# Usage: ci/test.sh [JAR]
#   JAR  the cluster jar (jobs/target/medallion-jobs-<version>-spark.jar);
#        without it a dummy jar is used, which is enough for the dry run.
#
# The last line is "ci: N passed, M failed"; exits 1 when a check failed.

set -euo pipefail

USAGE="Usage: ci/test.sh [JAR]"

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
  -h | --help) printf '%s\n' "$USAGE"; exit 0 ;;
esac
[[ $# -le 1 ]] || usage_error "at most one argument, the jar"
jar="${1:-}"
if [[ -n "$jar" && "$jar" != /* ]]; then
  jar="$PWD/$jar"
fi

cd "$REPO_ROOT"
tmp="$(mktemp -d)"
trap 'rm -rf -- "$tmp"' EXIT

passed=0
failed=0

# check NAME CMD...: runs CMD quietly; prints its output only when it fails.
check() {
  local name="$1"
  shift
  if "$@" >"$tmp/out" 2>&1; then
    echo "ok:   $name"
    passed=$((passed + 1))
  else
    echo "FAIL: $name"
    sed 's/^/    /' "$tmp/out"
    failed=$((failed + 1))
  fi
}

# expect_usage_error ARGS...: ci/deploy.sh refuses ARGS with exit code 2 and a message.
expect_usage_error() {
  local rc=0
  ci/deploy.sh "$@" >"$tmp/usage.out" 2>&1 || rc=$?
  cat "$tmp/usage.out"
  [[ $rc -eq 2 ]] && grep -q '^deploy.sh: ' "$tmp/usage.out"
}

# build_versions_match_pom POM TF: the build's Spark and Delta versions that infra/modules/emr_serverless
# records (local.build in TF, which decides the EMR releases it accepts) are POM's spark.version and
# delta.version, major.minor.
build_versions_match_pom() {
  local spark delta re='build *= *\{ *spark *= *"([0-9]+\.[0-9]+)", *delta *= *"([0-9]+\.[0-9]+)" *\}'
  spark="$(sed -nE 's:.*<spark\.version>([0-9]+\.[0-9]+)\..*:\1:p' "$1")"
  delta="$(sed -nE 's:.*<delta\.version>([0-9]+\.[0-9]+)\..*:\1:p' "$1")"
  [[ "$(grep -E "^ *$re" "$2")" =~ $re ]] || { echo "$2 has no line 'build = { spark = \"X.Y\", delta = \"X.Y\" }'"; return 1; }
  echo "$1: Spark ${spark:-?}, Delta ${delta:-?}; $2 local.build: Spark ${BASH_REMATCH[1]}, Delta ${BASH_REMATCH[2]} (change them together)"
  [[ "$spark" == "${BASH_REMATCH[1]}" && "$delta" == "${BASH_REMATCH[2]}" ]]
}

# kafka_auth_in_request FILE: the streaming request the dry run printed passes MSK IAM auth as the
# jobs' CLI takes it (--kafka-auth aws-msk-iam), with no --kafka-conf.
kafka_auth_in_request() {
  [[ "$(grep -A1 '"--kafka-auth"' "$1")" == *'"aws-msk-iam"'* ]] && ! grep -q -- '--kafka-conf' "$1"
}

# topics_job_before_streaming FILE: the dry run's output (FILE) shows the topics job run request
# (Terraform's topics_job_run_request, rendered by infra/modules/job_definitions): a BATCH run with
# a time limit of `topics --create` with the spec, the streaming job's brokers and --kafka-auth
# aws-msk-iam, on the same jar, application and role; and deploy.sh starts it before the streaming job.
topics_job_before_streaming() {
  python3 - "$1" <<'PY'
import json, sys

text = open(sys.argv[1]).read()
lines = text.splitlines()
# The requests are printed by pretty_json: a top-level object from a line "{" to a line "}".
docs, start = [], None
for i, line in enumerate(lines):
    if line == "{":
        start = i
    elif line == "}" and start is not None:
        docs.append((start, json.loads("\n".join(lines[start:i + 1]))))
        start = None
runs = {d.get("name", "").rsplit("-", 1)[-1]: (pos, d) for pos, d in docs if "jobDriver" in d}
assert "topics" in runs and "streaming" in runs, f"no topics and streaming requests in the dry run (found {sorted(runs)})"
(tpos, topics), (spos, streaming) = runs["topics"], runs["streaming"]
targs, sargs = topics["jobDriver"]["sparkSubmit"]["entryPointArguments"], streaming["jobDriver"]["sparkSubmit"]["entryPointArguments"]
print("topics job:", " ".join(targs))
assert topics["mode"] == "BATCH" and 0 < topics["executionTimeoutMinutes"] <= 120, "the topics job must be a BATCH run with a time limit"
assert targs[:2] == ["topics", "--create"], "the topics job must run: topics --create"
assert targs[2:] == sargs[1:], "the topics job must get the streaming job's --pipeline, --lake-root, --bootstrap-servers and --kafka-auth"
assert targs[-2:] == ["--kafka-auth", "aws-msk-iam"], "the topics job must authenticate with --kafka-auth aws-msk-iam"
for key in ("applicationId", "executionRoleArn"):
    assert topics[key] == streaming[key], f"the topics job must have the streaming job's {key}"
assert topics["jobDriver"]["sparkSubmit"]["entryPoint"] == streaming["jobDriver"]["sparkSubmit"]["entryPoint"], "the topics job must run the streaming job's jar"
start_calls = [i for i, line in enumerate(lines) if "would run: aws emr-serverless start-job-run" in line]
assert start_calls and start_calls[0] > tpos and start_calls[0] < spos, "deploy.sh must start the topics job before the streaming job"
PY
}

# catalog_arguments_in_requests FILE BRONZE SILVER GOLD SYSTEM: every job run request the dry run printed
# (the topics and streaming StartJobRun requests, and each batch task of the state machine) passes
# --catalog glue once and --glue-database LAYER=NAME for exactly bronze, silver, gold and _system, with the
# names given: the Glue databases the environment's catalog module creates.
catalog_arguments_in_requests() {
  python3 - "$@" <<'PY'
import json, sys

path, bronze, silver, gold, system = sys.argv[1:]
expected = [f"bronze={bronze}", f"silver={silver}", f"gold={gold}", f"_system={system}"]
lines = open(path).read().splitlines()
docs, start = [], None
for i, line in enumerate(lines):
    if line == "{":
        start = i
    elif line == "}" and start is not None:
        docs.append(json.loads("\n".join(lines[start:i + 1])))
        start = None
runs = {}
for d in docs:
    if "jobDriver" in d:  # a StartJobRun request
        runs[d["name"]] = d["jobDriver"]["sparkSubmit"]["entryPointArguments"]
    else:  # the batch tasks' parameters, by job name
        for p in d.values():
            if isinstance(p, dict) and "JobDriver" in p:
                runs[p["Name"]] = p["JobDriver"]["SparkSubmit"]["EntryPointArguments"]
kinds = sorted(name.rsplit("-", 1)[-1] for name in runs)
print("job runs:", ", ".join(sorted(runs)))
assert {"topics", "streaming", "aggregate", "maintain"} <= set(kinds), f"expected the topics, streaming, aggregate and maintain runs, found {kinds}"
for name, args in sorted(runs.items()):
    catalog = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--catalog"]
    databases = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--glue-database"]
    print(f"{name}: --catalog {catalog}, --glue-database {databases}")
    assert catalog == ["glue"], f"{name}: --catalog must be passed once, as glue (found {catalog})"
    assert databases == expected, f"{name}: --glue-database must be {expected} (found {databases})"
PY
}

# no_terraform_glue_tables: Terraform declares no Glue table; the jobs register every table themselves
# (--catalog glue), and a table in Terraform would fight their UpdateTable and drift in every plan.
no_terraform_glue_tables() {
  ! grep -rn --include='*.tf' -E 'resource +"aws_glue_catalog_table"' infra
}

# strict_and_executable FILE: a runnable script with bash strict mode.
strict_and_executable() {
  [[ -x "$1" ]] || { echo "$1 is not executable (chmod +x)"; return 1; }
  grep -qx 'set -euo pipefail' "$1" || { echo "$1 lacks 'set -euo pipefail'"; return 1; }
}

scripts=(ci/*.sh infra/*.sh)

echo "== shell scripts"
if command -v shellcheck >/dev/null 2>&1; then
  for f in "${scripts[@]}"; do
    check "shellcheck $f" shellcheck -x "$f"
  done
else
  echo "SKIPPED: shellcheck not on PATH"
fi
for f in "${scripts[@]}"; do
  # Libraries are sourced, not run.
  [[ "$f" == */lib.sh ]] || check "$f is executable with set -euo pipefail" strict_and_executable "$f"
done

echo "== workflows"
if python3 -c 'import yaml' 2>/dev/null; then
  # One line per check: "ok <name>" or "FAIL <name>: <reason>".
  python3 - .github/workflows ci/Jenkinsfile >"$tmp/workflows" <<'PY'
import glob, os, re, sys, yaml

workflow_dir, jenkinsfile = sys.argv[1], sys.argv[2]
pinned = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
script_ref = re.compile(r"\bci/[A-Za-z0-9_.-]+\.sh\b")

def report(ok, name, reason=""):
    print(f"ok {name}" if ok else f"FAIL {name}: {reason}")

files = sorted(glob.glob(os.path.join(workflow_dir, "*.yml")) + glob.glob(os.path.join(workflow_dir, "*.yaml")))
report(bool(files), "workflows exist", f"no workflow files in {workflow_dir}")
referenced = {}
for path in files:
    text = open(path).read()
    for ref in script_ref.findall(text):
        referenced.setdefault(ref, path)
    try:
        wf = yaml.safe_load(text)
    except yaml.YAMLError as e:
        report(False, f"{path} parses as YAML", str(e).replace("\n", " "))
        continue
    report(isinstance(wf, dict) and "jobs" in wf, f"{path} parses as YAML", "no jobs")
    if not isinstance(wf, dict) or "jobs" not in wf:
        continue
    report(wf.get("permissions") == {"contents": "read"}, f"{path}: top-level permissions are contents: read",
           f"found {wf.get('permissions')!r}")
    # YAML 1.1 reads the key "on" as True.
    triggers = wf.get("on", wf.get(True)) or {}
    reusable = isinstance(triggers, dict) and set(triggers) == {"workflow_call"}
    if not reusable:  # a called workflow runs under its caller's concurrency group
        report("concurrency" in wf, f"{path}: has a concurrency group", "no top-level concurrency")
    report("aws-access-key-id" not in text and "aws-secret-access-key" not in text,
           f"{path}: no stored AWS keys", "uses aws-access-key-id / aws-secret-access-key; use OIDC role-to-assume")
    for job_id, job in wf["jobs"].items():
        name = f"{path}: job {job_id}"
        if "uses" in job:
            # A call of a reusable workflow: its jobs are checked in their own file.
            called = job["uses"]
            report(called.startswith("./.github/workflows/") and os.path.isfile(called[2:]),
                   f"{name} calls a workflow of this repository", f"'{called}' is not a local workflow file")
            continue
        report(isinstance(job.get("timeout-minutes"), int), f"{name} has timeout-minutes", "missing")
        steps = job.get("steps", [])
        uses = [s["uses"] for s in steps if "uses" in s]
        for u in uses:
            if u.startswith("./") or u.startswith("docker://"):
                continue
            report(bool(pinned.match(u)), f"{name}: {u.split('@')[0]} pinned by commit SHA",
                   f"'{u}' is not pinned by a full 40-character commit SHA")
        wants_oidc = any(u.startswith("aws-actions/configure-aws-credentials@") for u in uses)
        has_token = (job.get("permissions") or {}).get("id-token") == "write"
        report(wants_oidc == has_token, f"{name}: id-token: write exactly when it assumes an AWS role",
               "id-token: write without configure-aws-credentials" if has_token else "configure-aws-credentials without id-token: write")
        for s in steps:
            w = s.get("with") or {}
            if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"):
                report("role-to-assume" in w, f"{name}: AWS access through an assumed role (OIDC)", "no role-to-assume")
                role = str(w.get("role-to-assume", ""))
                # The deploy roles trust only the token of a job in their GitHub environment
                # (sub repo:<owner>/<repo>:environment:<env>), whose protection rules (prod: required
                # reviewers) gate the job; the plan roles trust pull requests' tokens
                # (sub repo:<owner>/<repo>:pull_request), which a job in an environment does not get.
                if "DEPLOY_ROLE" in role:
                    report(bool(job.get("environment")), f"{name}: assumes the deploy role in a GitHub environment (approval, trust)",
                           "no environment: the deploy role would refuse its token, and no protection rule applies")
                elif "PLAN_ROLE" in role:
                    report(not job.get("environment"), f"{name}: assumes the plan role outside any environment (its token's sub is pull_request)",
                           "runs in an environment: its token's sub is environment:<name>, which the plan role does not trust")

# Every deploy goes through deploy.yml, whose one job runs in the environment it is given:
# main.yml must deploy prod through it with environment prod (the approval of that environment).
main = os.path.join(workflow_dir, "main.yml")
if os.path.isfile(main):
    calls = {job.get("with", {}).get("environment") for job in (yaml.safe_load(open(main)) or {}).get("jobs", {}).values()
             if str(job.get("uses", "")).endswith("/deploy.yml")}
    report(calls == {"dev", "prod"}, f"{main}: deploys dev and prod through deploy.yml, each in its GitHub environment",
           f"deploy.yml called with environments {sorted(c for c in calls if c)}")

if os.path.exists(jenkinsfile):
    for ref in script_ref.findall(open(jenkinsfile).read()):
        referenced.setdefault(ref, jenkinsfile)
for ref, where in sorted(referenced.items()):
    report(os.path.isfile(ref) and os.access(ref, os.X_OK), f"{ref} (called in {where}) exists and is executable",
           "missing or not executable")
PY
  while IFS= read -r line; do
    if [[ "$line" == ok\ * ]]; then
      echo "ok:   ${line#ok }"
      passed=$((passed + 1))
    else
      echo "FAIL: ${line#FAIL }"
      failed=$((failed + 1))
    fi
  done <"$tmp/workflows"
else
  echo "SKIPPED: python3 with PyYAML not available (workflow checks)"
fi

echo "== versions"
check "infra/modules/emr_serverless local.build is pom.xml's Spark and Delta (major.minor)" \
  build_versions_match_pom pom.xml infra/modules/emr_serverless/releases.tf

echo "== Glue catalog"
check "Terraform declares no Glue table (the jobs register every table)" no_terraform_glue_tables

echo "== ci/deploy.sh"
check "ci/deploy.sh refuses an unknown environment" expect_usage_error --dry-run --env staging
check "ci/deploy.sh refuses --env without a value" expect_usage_error --dry-run --env
check "ci/deploy.sh refuses a branch name as --version" expect_usage_error --dry-run --env dev --version main
check "ci/deploy.sh refuses an unknown option" expect_usage_error --dry-run --env dev --force

if [[ -z "$jar" ]]; then
  jar="$tmp/medallion-jobs-dummy-spark.jar"
  printf 'not a real jar\n' >"$jar"
  echo "no jar given: the dry run uses a dummy jar ($jar)"
fi
# The environment's Glue database names, three of the four given (system keeps its default): the dry
# run must render them into every job run, as the catalog module names its databases.
cat >"$tmp/glue.tfvars" <<'HCL'
glue_database_names = {
  bronze = "ci_bronze"
  silver = "ci_silver"
  gold   = "ci_gold"
}
HCL
check "ci/deploy.sh --dry-run --env dev --jar $jar (MEDALLION_TFVARS: glue_database_names)" \
  env MEDALLION_TFVARS="$tmp/glue.tfvars" ci/deploy.sh --dry-run --env dev --jar "$jar"
cp "$tmp/out" "$tmp/dry-run.out"
# A step the dry run could not do here (no terraform, no provider mirror offline).
grep -h 'SKIPPED' "$tmp/dry-run.out" || true
if grep -q '"entryPointArguments"' "$tmp/dry-run.out"; then
  check "the dry run's streaming request has --kafka-auth aws-msk-iam and no --kafka-conf" kafka_auth_in_request "$tmp/dry-run.out"
  check "the dry run creates the spec's topics (topics --create, BATCH, the streaming job's cluster and auth) before the streaming job" \
    topics_job_before_streaming "$tmp/dry-run.out"
  check "every job run of the dry run (topics, streaming, aggregate, maintain) passes --catalog glue and --glue-database for bronze, silver, gold, _system with the environment's databases" \
    catalog_arguments_in_requests "$tmp/dry-run.out" ci_bronze ci_silver ci_gold medallion_system
fi

echo "ci: $passed passed, $failed failed"
((failed == 0))
