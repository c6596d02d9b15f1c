"""moto_server over TLS, with the gaps of moto 5.2.1 that stop `terraform apply`
of envs/dev, or make its second plan show changes that AWS would not, filled
in the way AWS's API reference describes. infra/moto/test.sh starts it:

    python3 infra/moto/server.py --port PORT --tls-dir DIR

It writes a self-signed certificate for 127.0.0.1 to DIR/cert.pem (its key to
DIR/key.pem; clients trust it with AWS_CA_BUNDLE=DIR/cert.pem), then runs
moto's own server (moto.server.main, what the `moto_server` command runs) on
https://127.0.0.1:PORT.

Each correction below is one function, applied before the server starts, and
listed in infra/README.md ("Terraform against moto"): what moto does, what AWS
does, and what still covers the behaviour. Nothing else of moto is changed.
"""

import argparse
import datetime
import ipaddress
import json
import os
import re
import sys


def write_certificate(tls_dir):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "moto 127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    os.makedirs(tls_dir, exist_ok=True)
    cert_path = os.path.join(tls_dir, "cert.pem")
    key_path = os.path.join(tls_dir, "key.pem")
    with open(key_path, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


################################################################################
# S3: the aws:SecureTransport condition of bucket policies
################################################################################

SECURE_TRANSPORT_FALSE = {"Bool": {"aws:SecureTransport": "false"}}


def request_is_secure():
    """True for a TLS request; False for plain HTTP and outside a request."""
    from flask import has_request_context, request

    return has_request_context() and request.is_secure


def s3_secure_transport_condition():
    """moto ignores policy conditions (FakeBucket.get_permission: "Conditions
    are not taken into account"), so a Deny on {"Bool": {"aws:SecureTransport":
    "false"}} denies every object request, TLS or not. AWS sets
    aws:SecureTransport to "true" for a TLS request: this one condition is
    evaluated against the request's own scheme. Other statements and
    conditions are left to moto."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self, action, resource):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy.decode())
        statements = document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        secure = request_is_secure()
        kept = []
        for statement in statements:
            if statement.get("Condition") == SECURE_TRANSPORT_FALSE:
                if secure:
                    continue  # the condition is false: the statement does not apply
                statement = {k: v for k, v in statement.items() if k != "Condition"}
            kept.append(statement)
        document["Statement"] = kept
        return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission


################################################################################
# EMR Serverless
################################################################################

RUNTIME_LABEL = re.compile(r"emr-spark-[0-9]+\.[0-9]+\.[0-9]+")


def emr_serverless_applications():
    """CreateApplication: moto knows only release labels of the form
    emr-X.Y.0 (not the AWS runtime labels emr-spark-8.0.0, ...), puts a new
    application in STARTED (AWS: CREATED, which the provider waits for, and
    DeleteApplication refuses STARTED), and drops the architecture and the
    interactive configuration, which GetApplication returns on AWS."""
    from moto.emrserverless.models import EMRServerlessBackend
    from moto.emrserverless.responses import EMRServerlessResponse

    create_in_backend = EMRServerlessBackend.create_application

    def create_application_in_backend(self, *args, **kwargs):
        label = kwargs.get("release_label")
        runtime_label = isinstance(label, str) and RUNTIME_LABEL.fullmatch(label)
        if runtime_label:
            kwargs["release_label"] = "emr-7.0.0"  # past moto's label pattern
        application = create_in_backend(self, *args, **kwargs)
        if runtime_label:
            application.release_label = label
        application.state = "CREATED"
        return application

    EMRServerlessBackend.create_application = create_application_in_backend

    create_application = EMRServerlessResponse.create_application

    def create_application_keeping_settings(self):
        result = create_application(self)
        application = self.emrserverless_backend.get_application(result.result["applicationId"])
        application.architecture = self._get_param("architecture") or "X86_64"
        application.interactive_configuration = self._get_param("interactiveConfiguration")
        return result

    EMRServerlessResponse.create_application = create_application_keeping_settings


def emr_serverless_job_runs():
    """StartJobRun: moto puts every run in SUCCESS at once and drops its mode
    and retryPolicy. On AWS a STREAMING run stays RUNNING until it is
    cancelled (ci/streaming.sh waits for RUNNING), GetJobRun returns mode and
    retryPolicy, and a job run starts an application with auto-start on
    (STARTED). CancelJobRun still sets CANCELLED (moto's). ListJobRuns: moto
    answers ResourceNotFoundException for an application that has no job run
    yet (AWS: an empty list)."""
    from moto.emrserverless.models import EMRServerlessBackend
    from moto.emrserverless.responses import EMRServerlessResponse

    list_job_runs = EMRServerlessBackend.list_job_runs

    def list_job_runs_of_any_application(self, application_id, *args, **kwargs):
        self.get_application(application_id)  # ResourceNotFoundException for an unknown one
        if application_id not in self.job_runs:
            return []
        return list_job_runs(self, application_id, *args, **kwargs)

    EMRServerlessBackend.list_job_runs = list_job_runs_of_any_application

    start_job_run = EMRServerlessResponse.start_job_run

    def start_job_run_as_aws(self):
        result = start_job_run(self)
        backend = self.emrserverless_backend
        application = backend.get_application(result.result["applicationId"])
        run = backend.get_job_run(application.id, result.result["jobRunId"])
        run.mode = self._get_param("mode") or "BATCH"
        run.retry_policy = self._get_param("retryPolicy")
        if run.mode == "STREAMING":
            run.state = "RUNNING"
        auto_start = application.auto_start_configuration or {}
        if auto_start.get("enabled", True) and application.state in ("CREATED", "STOPPED"):
            application.state = "STARTED"
        return result

    EMRServerlessResponse.start_job_run = start_job_run_as_aws


################################################################################
# Step Functions
################################################################################

STATE_TYPES = {"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}


def definition_diagnostics(definition):
    """Basic Amazon States Language rules (AWS's validator checks more)."""
    try:
        document = json.loads(definition)
    except (TypeError, ValueError) as e:
        return [("SCHEMA_VALIDATION_FAILED", f"the definition is not JSON: {e}")]
    states = document.get("States") if isinstance(document, dict) else None
    if not isinstance(states, dict) or not states:
        return [("SCHEMA_VALIDATION_FAILED", "States must be a non-empty object")]
    problems = []
    if document.get("StartAt") not in states:
        problems.append(("MISSING_TRANSITION_TARGET", f"StartAt {document.get('StartAt')!r} is not a state"))
    for name, state in states.items():
        kind = state.get("Type") if isinstance(state, dict) else None
        if kind not in STATE_TYPES:
            problems.append(("SCHEMA_VALIDATION_FAILED", f"state {name!r} has no valid Type"))
            continue
        targets = [state["Next"]] if "Next" in state else []
        targets += [c.get("Next") for c in state.get("Catch", [])]
        targets += [c.get("Next") for c in state.get("Choices", [])]
        targets += [state["Default"]] if "Default" in state else []
        for target in targets:
            if target not in states:
                problems.append(("MISSING_TRANSITION_TARGET", f"state {name!r} goes to {target!r}, not a state"))
        if kind not in ("Succeed", "Fail", "Choice") and "Next" not in state and state.get("End") is not True:
            problems.append(("MISSING_TRANSITION_TARGET", f"state {name!r} has neither Next nor End"))
        if kind == "Task" and not state.get("Resource"):
            problems.append(("SCHEMA_VALIDATION_FAILED", f"task {name!r} has no Resource"))
    return problems


def step_functions_missing_calls():
    """moto has no ValidateStateMachineDefinition and no
    ListStateMachineVersions, which the provider calls when it creates and
    reads a state machine. The first answers with the basic rules of
    definition_diagnostics; the second lists the versions moto keeps."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    def validate_state_machine_definition(self):
        problems = definition_diagnostics(self._get_param("definition"))
        return ActionResult(
            {
                "result": "FAIL" if problems else "OK",
                "diagnostics": [{"severity": "ERROR", "code": c, "message": m} for c, m in problems],
            }
        )

    def list_state_machine_versions(self):
        machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
        versions = sorted(machine.versions.values(), key=lambda v: v.version, reverse=True)
        return ActionResult(
            {
                "stateMachineVersions": [
                    {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in versions
                ]
            }
        )

    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions


################################################################################
# KMS and Amazon Managed Service for Prometheus
################################################################################


def kms_rotation_period():
    """EnableKeyRotation: moto drops RotationPeriodInDays, and
    GetKeyRotationStatus does not return it (AWS: the period, 365 days unless
    given)."""
    from moto.kms.responses import KmsResponse

    enable_key_rotation = KmsResponse.enable_key_rotation
    get_key_rotation_status = KmsResponse.get_key_rotation_status

    def enable_with_period(self):
        result = enable_key_rotation(self)
        key = self.kms_backend.keys[self.kms_backend.get_key_id(self._get_param("KeyId"))]
        key.rotation_period_in_days = self._get_param("RotationPeriodInDays") or 365
        return result

    def status_with_period(self):
        status = json.loads(get_key_rotation_status(self))
        key = self.kms_backend.keys[self.kms_backend.get_key_id(self._get_param("KeyId"))]
        status["KeyId"] = key.id
        if status.get("KeyRotationEnabled"):
            status["RotationPeriodInDays"] = getattr(key, "rotation_period_in_days", 365)
        return json.dumps(status)

    KmsResponse.enable_key_rotation = enable_with_period
    KmsResponse.get_key_rotation_status = status_with_period


def prometheus_workspace_key():
    """CreateWorkspace: moto drops kmsKeyArn, and DescribeWorkspace does not
    return it (AWS returns the workspace's key)."""
    from moto.amp.models import Workspace
    from moto.amp.responses import PrometheusServiceResponse

    create_workspace = PrometheusServiceResponse.create_workspace
    to_dict = Workspace.to_dict

    def create_with_key(self):
        result = create_workspace(self)
        workspace = self.amp_backend.describe_workspace(json.loads(result)["workspaceId"])
        workspace.kms_key_arn = json.loads(self.body).get("kmsKeyArn")
        return json.dumps(workspace.to_dict())

    def to_dict_with_key(self):
        d = to_dict(self)
        if getattr(self, "kms_key_arn", None):
            d["kmsKeyArn"] = self.kms_key_arn
        return d

    PrometheusServiceResponse.create_workspace = create_with_key
    Workspace.to_dict = to_dict_with_key


CORRECTIONS = [
    s3_secure_transport_condition,
    emr_serverless_applications,
    emr_serverless_job_runs,
    step_functions_missing_calls,
    kms_rotation_period,
    prometheus_workspace_key,
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls-dir", required=True, help="where cert.pem and key.pem are written")
    args = parser.parse_args()

    cert_path, key_path = write_certificate(args.tls_dir)
    for correction in CORRECTIONS:
        correction()

    from moto.server import main as moto_server

    moto_server(["-H", "127.0.0.1", "-p", str(args.port), "-c", cert_path, "-k", key_path])


if __name__ == "__main__":
    sys.exit(main())
