"""What infra/moto/test.sh asserts through the AWS API (boto3) about envs/dev
applied to moto, at each stage:

  seed       before Terraform: the VPC and subnets, the state bucket and key,
             and the IAM roles the environment names but does not create;
             writes the environment's tfvars
  applied    after `terraform apply`: what was created, read back from AWS
  deployed   after ci/deploy.sh: the published objects, the job runs and the
             StartJobRun requests as moto received them (its recorder)
  tamper     a change outside Terraform: the lake bucket's versioning suspended
  teardown   what an operator does before `terraform destroy`: cancel the
             streaming job run, stop the application (EMR Serverless deletes
             only a CREATED or STOPPED application)
  destroyed  after `terraform destroy`: nothing of the environment is left
  recording  start|stop moto's request recorder

The expected values are the modules' (infra/modules/*): names, prefixes,
actions and resources are written here as the modules build them, and compared
with what moto returns, never with Terraform's own view of it. Each check
prints "ok" or "FAIL"; the counts go to --counts (one line "PASSED FAILED").
Endpoint, credentials and CA bundle come from the environment
(AWS_ENDPOINT_URL, AWS_CA_BUNDLE, ...), as for the AWS CLI.
"""

import argparse
import base64
import json
import os
import re
import ssl
import sys
import traceback
import urllib.request

import boto3

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ENV = "dev"
NAME = f"medallion-{ENV}"  # <project>-<environment> (modules/platform)
LAKE_BUCKET = f"moto-{NAME}-lake"
LOG_BUCKET = f"{LAKE_BUCKET}-access-logs"
STATE_BUCKET = "moto-medallion-terraform-state"
STATE_KEY = f"medallion/{ENV}/terraform.tfstate"
STATE_KEY_ALIAS = "alias/medallion-terraform-state"
DATABASES = {"bronze": "dev_bronze", "silver": "dev_silver", "gold": "dev_gold", "system": "dev_medallion_system"}
# modules/job_definitions: every job run registers its tables in these databases, by the jobs' layer
# names (the system database is the layer "_system"), right after --pipeline and --lake-root.
CATALOG_ARGUMENTS = ["--catalog", "glue"] + [
    a for layer, db in (("bronze", "bronze"), ("silver", "silver"), ("gold", "gold"), ("_system", "system"))
    for a in ("--glue-database", f"{layer}={DATABASES[db]}")]
# An existing MSK cluster (moto has no MSK configurations: see infra/README.md).
KAFKA_CLUSTER_ARN = f"arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/shared/0b7c5a8e-6c3f-4c4e-9a51-2f1d3e4b5a6c-2"
KAFKA_BROKERS = (
    "b-1.shared.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,"
    "b-2.shared.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,"
    "b-3.shared.abc123.c2.kafka.eu-west-1.amazonaws.com:9098"
)
KAFKA_CIDR = "10.20.0.0/16"
ANALYSTS_PRINCIPAL = "analysts-sso"
OPERATORS_PRINCIPAL = "platform-oncall"
CI_ROLE = "medallion-ci-deployer"
SCHEDULE = "rate(6 hours)"
ALARM_EMAIL = "data-platform-dev@example.com"

# modules/lake_storage: var.prefixes
PREFIXES = {
    "bronze": "bronze/",
    "silver": "silver/",
    "gold": "gold/",
    "checkpoints": "_checkpoints/",
    "system": "_system/",
    "artifacts": "artifacts/",
    "athena_results": "athena-results/",
    "operators_athena_results": "athena-results-operators/",
}
# modules/platform: the "small" preset of dev
SMALL = {"cpu": "16 vCPU", "memory": "64 GB", "disk": "200 GB", "noncurrent_days": 7, "retention": 30,
         "bytes_cutoff": 10737418240}
DELTA_JARS = [
    "/usr/share/aws/delta/lib/delta-spark.jar",
    "/usr/share/aws/delta/lib/delta-storage.jar",
    "/usr/share/aws/delta/lib/delta-storage-s3-dynamodb.jar",
]

BUCKET_ARN = f"arn:aws:s3:::{LAKE_BUCKET}"
ARN = f"{REGION}:{ACCOUNT}"


def client(service):
    return boto3.client(service, region_name=REGION)


class Checks:
    def __init__(self, stage):
        self.stage = stage
        self.passed = 0
        self.failed = 0

    def _report(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"  ok    {what}")
        else:
            self.failed += 1
            print(f"  FAIL  {what}{': ' + detail if detail else ''}")

    def true(self, what, condition, detail=""):
        self._report(bool(condition), what, detail)

    def eq(self, what, actual, expected):
        self._report(actual == expected, what, difference(actual, expected))

    def check(self, what, fn):
        """Runs fn(); an exception (an API error, a missing key) fails the check."""
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every error is a failed check
            self._report(False, what, f"{type(e).__name__}: {e}")
            if os.environ.get("MOTO_TEST_DEBUG"):
                traceback.print_exc()

    def write(self, path):
        with open(path, "w") as f:
            f.write(f"{self.passed} {self.failed}\n")


def difference(actual, expected, path=""):
    """What differs, shortly: per key for dictionaries."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        parts = [difference(actual.get(k), expected.get(k), f"{path}.{k}" if path else str(k))
                 for k in sorted(set(actual) | set(expected), key=str) if actual.get(k) != expected.get(k)]
        return "; ".join(parts)
    where = f"{path}: " if path else ""
    return f"{where}expected {expected!r}, got {actual!r}"


def statements(document):
    if isinstance(document, str):
        document = json.loads(document)
    return {s.get("Sid", ""): s for s in document["Statement"]}


def as_list(value):
    return value if isinstance(value, list) else [value]


def role_policy(role, policy_name):
    return client("iam").get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]


def no_wildcards(c, what, document):
    """No "*" action, no "service:*" action and no "*" resource (the modules'
    rule; the one exception, CloudWatch Logs' log delivery in orchestration,
    is not checked with this)."""
    found = []
    for sid, s in statements(document).items():
        found += [f"{sid}: action {a}" for a in as_list(s["Action"]) if a == "*" or a.endswith(":*")]
        found += [f"{sid}: resource {r}" for r in as_list(s.get("Resource", [])) if r == "*"]
    c.eq(f"{what}: no wildcard action or resource", found, [])


def statement_is(c, what, document, sid, actions, resources, condition=None):
    s = statements(document).get(sid)
    if s is None:
        c.true(f"{what} has statement {sid}", False, f"statements: {sorted(statements(document))}")
        return
    c.eq(f"{what} {sid}: Effect", s["Effect"], "Allow")
    c.eq(f"{what} {sid}: actions", sorted(as_list(s["Action"])), sorted(actions))
    c.eq(f"{what} {sid}: resources", sorted(as_list(s["Resource"])), sorted(resources))
    if condition is not None:
        c.eq(f"{what} {sid}: condition", s.get("Condition"), condition)


################################################################################
# seed
################################################################################


def seed(args):
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
        for i, az in enumerate("abc")
    ]
    # The state backend of infra/bootstrap: bucket and key (alias).
    client("s3").create_bucket(Bucket=STATE_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    key = client("kms").create_key(Description="Terraform state (infra/bootstrap)")["KeyMetadata"]["KeyId"]
    client("kms").create_alias(AliasName=STATE_KEY_ALIAS, TargetKeyId=key)
    # Roles the environment names: the analysts' and operators' principals, the CI role.
    iam = client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})
    for role in (ANALYSTS_PRINCIPAL, OPERATORS_PRINCIPAL, CI_ROLE):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)

    tfvars = {
        "aws_region": REGION,
        "lake_bucket_name": LAKE_BUCKET,
        "vpc_id": vpc,
        "private_subnet_ids": subnets,
        "existing_kafka_bootstrap_brokers": KAFKA_BROKERS,
        "existing_kafka_cluster_arn": KAFKA_CLUSTER_ARN,
        "kafka_cidr_blocks": [KAFKA_CIDR],
        "batch_schedule_expression": SCHEDULE,
        "alarm_email_addresses": [ALARM_EMAIL],
        "analyst_principal_arns": [f"arn:aws:iam::{ACCOUNT}:role/{ANALYSTS_PRINCIPAL}"],
        "operator_principal_arns": [f"arn:aws:iam::{ACCOUNT}:role/{OPERATORS_PRINCIPAL}"],
        "glue_database_names": DATABASES,
        "manage_glue_catalog_encryption": True,
        "ci_role_names": [CI_ROLE],
        # The deploy publishes into the lake bucket; destroy must empty it.
        "force_destroy": True,
    }
    with open(args.tfvars, "w") as f:
        json.dump(tfvars, f, indent=2)
    with open(args.seeded, "w") as f:
        json.dump({"vpc_id": vpc, "subnet_ids": subnets}, f)
    print(f"  seeded VPC {vpc}, subnets {', '.join(subnets)}, state bucket {STATE_BUCKET}, roles")


################################################################################
# applied
################################################################################


def check_lake_storage(c, out):
    s3 = client("s3")
    key_arn = out["kms_key_arn"]
    c.true("the KMS key is a key ARN", re.fullmatch(rf"arn:aws:kms:{ARN}:key/[0-9a-f-]+", key_arn), key_arn)

    def lake_encryption():
        rule = s3.get_bucket_encryption(Bucket=LAKE_BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
        c.eq("lake bucket: default encryption", rule["ApplyServerSideEncryptionByDefault"],
             {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn})
        c.eq("lake bucket: bucket key", rule.get("BucketKeyEnabled"), True)

    c.check("lake bucket: encryption", lake_encryption)

    def logs_encryption():
        rule = s3.get_bucket_encryption(Bucket=LOG_BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
        c.eq("access-log bucket: SSE-S3 (log delivery cannot use SSE-KMS)",
             rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")

    c.check("access-log bucket: encryption", logs_encryption)

    for bucket in (LAKE_BUCKET, LOG_BUCKET):
        c.check(f"{bucket}: public access block", lambda b=bucket: c.eq(
            f"{b}: public access block",
            s3.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"],
            {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
             "RestrictPublicBuckets": True}))
        c.check(f"{bucket}: versioning", lambda b=bucket: c.eq(
            f"{b}: versioning", s3.get_bucket_versioning(Bucket=b).get("Status"), "Enabled"))
        c.check(f"{bucket}: ownership", lambda b=bucket: c.eq(
            f"{b}: object ownership (ACLs off)",
            s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
            "BucketOwnerEnforced"))

        def deny_insecure(b=bucket):
            policy = statements(s3.get_bucket_policy(Bucket=b)["Policy"])
            deny = policy.get("DenyInsecureTransport", {})
            arn = f"arn:aws:s3:::{b}"
            c.eq(f"{b}: DenyInsecureTransport", (deny.get("Effect"), deny.get("Principal"), deny.get("Action"),
                                                 sorted(as_list(deny.get("Resource", []))), deny.get("Condition")),
                 ("Deny", "*", "s3:*", sorted([arn, f"{arn}/*"]), {"Bool": {"aws:SecureTransport": "false"}}))

        c.check(f"{bucket}: TLS-only policy", deny_insecure)

    def lifecycle():
        rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=LAKE_BUCKET)["Rules"]}
        c.eq("lake bucket: noncurrent versions expire after the small preset's days",
             rules["expire-noncurrent-versions"]["NoncurrentVersionExpiration"]["NoncurrentDays"],
             SMALL["noncurrent_days"])
        c.eq("lake bucket: incomplete multipart uploads are aborted",
             rules["abort-incomplete-multipart-uploads"]["Status"], "Enabled")

    c.check("lake bucket: lifecycle", lifecycle)

    def logging():
        enabled = s3.get_bucket_logging(Bucket=LAKE_BUCKET)["LoggingEnabled"]
        c.eq("lake bucket: access logs", (enabled["TargetBucket"], enabled["TargetPrefix"]),
             (LOG_BUCKET, f"s3/{LAKE_BUCKET}/"))

    c.check("lake bucket: access logging", logging)

    def markers():
        for name, prefix in PREFIXES.items():
            head = s3.head_object(Bucket=LAKE_BUCKET, Key=prefix)
            c.eq(f"prefix marker {prefix}: SSE-KMS with the lake key",
                 (head.get("ServerSideEncryption"), head.get("SSEKMSKeyId")), ("aws:kms", key_arn))
        c.eq("lake_prefix_uris output", out["lake_prefix_uris"],
             {k: f"s3://{LAKE_BUCKET}/{p}" for k, p in PREFIXES.items()})

    c.check("prefix markers", markers)

    def kms():
        k = client("kms")
        c.eq("KMS key: rotation", k.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"], True)
        aliases = {a["AliasName"]: a.get("TargetKeyId") for a in k.list_aliases()["Aliases"]}
        c.eq(f"KMS alias alias/{LAKE_BUCKET}", aliases.get(f"alias/{LAKE_BUCKET}"), key_arn.split("/")[-1])
        policy = statements(k.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
        c.eq("KMS key policy: statements", sorted(policy),
             ["AccountIamPoliciesMayGrantKeyUse", "CloudWatchAlarmsPublishToEncryptedTopics",
              "CloudWatchLogsEncryptLogGroups"])
        c.eq("KMS key policy: the account root administers and grants use",
             policy["AccountIamPoliciesMayGrantKeyUse"]["Principal"], {"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
        c.eq("KMS key policy: CloudWatch Logs only for this account's log groups",
             policy["CloudWatchLogsEncryptLogGroups"]["Condition"],
             {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{ARN}:log-group:*"}})

    c.check("KMS key", kms)


def check_emr_serverless(c, out, seeded):
    emr = client("emr-serverless")
    key_arn = out["kms_key_arn"]
    app_id = out["emr_application_id"]
    job_role_arn = out["emr_job_role_arn"]
    c.eq("job role ARN", job_role_arn, f"arn:aws:iam::{ACCOUNT}:role/{NAME}-job-runtime")

    def application():
        app = emr.get_application(applicationId=app_id)["application"]
        c.eq("EMR Serverless application: name", app["name"], NAME)
        c.eq("EMR Serverless application: release label", app["releaseLabel"], "emr-spark-8.0.0")
        c.eq("EMR Serverless application: type", app["type"].upper(), "SPARK")
        c.eq("EMR Serverless application: architecture", app.get("architecture"), "X86_64")
        c.eq("EMR Serverless application: maximum capacity (small preset)", app["maximumCapacity"],
             {"cpu": SMALL["cpu"], "memory": SMALL["memory"], "disk": SMALL["disk"]})
        c.eq("EMR Serverless application: auto-start", app["autoStartConfiguration"], {"enabled": True})
        c.eq("EMR Serverless application: auto-stop", app["autoStopConfiguration"]["enabled"], True)
        c.eq("EMR Serverless application: no Livy, no Studio", app.get("interactiveConfiguration"),
             {"livyEndpointEnabled": False, "studioEnabled": False})
        network = app["networkConfiguration"]
        c.eq("EMR Serverless application: private subnets", sorted(network["subnetIds"]),
             sorted(seeded["subnet_ids"]))
        groups = network["securityGroupIds"]
        c.eq("EMR Serverless application: one security group", len(groups), 1)
        sg = client("ec2").describe_security_groups(GroupIds=groups)["SecurityGroups"][0]
        c.eq("workers' security group: name and VPC", (sg["GroupName"], sg["VpcId"]),
             (f"{NAME}-emr-serverless", seeded["vpc_id"]))
        c.eq("workers' security group: no ingress", sg["IpPermissions"], [])
        egress = sorted((p["IpProtocol"], p.get("FromPort"), p.get("ToPort"),
                         tuple(sorted(r["CidrIp"] for r in p.get("IpRanges", []))))
                        for p in sg["IpPermissionsEgress"])
        c.eq("workers' security group: egress HTTPS anywhere, Kafka 9098 to the cluster's CIDR only", egress,
             [("tcp", 443, 443, ("0.0.0.0/0",)), ("tcp", 9098, 9098, (KAFKA_CIDR,))])

    c.check("EMR Serverless application", application)

    def job_role():
        iam = client("iam")
        role = iam.get_role(RoleName=f"{NAME}-job-runtime")["Role"]
        trust = statements(role["AssumeRolePolicyDocument"])["EmrServerlessOnly"]
        c.eq("job role: trusted by EMR Serverless of this account only",
             (trust["Principal"], trust["Action"], trust["Condition"]),
             ({"Service": "emr-serverless.amazonaws.com"}, "sts:AssumeRole",
              {"StringEquals": {"aws:SourceAccount": ACCOUNT}}))
        policy = role_policy(f"{NAME}-job-runtime", "medallion-job-access")
        what = "job role policy"
        rw = [PREFIXES[p] for p in ("bronze", "silver", "gold", "checkpoints", "system")]
        statement_is(c, what, policy, "LocateLakeBucket", ["s3:GetBucketLocation"], [BUCKET_ARN])
        statement_is(c, what, policy, "ListLakePrefixes", ["s3:ListBucket"], [BUCKET_ARN],
                     {"StringLike": {"s3:prefix": [f"{p}*" for p in rw + [PREFIXES["artifacts"]]]}})
        statement_is(c, what, policy, "ReadWriteLayersAndCheckpoints",
                     ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts",
                      "s3:PutObject"], [f"{BUCKET_ARN}/{p}*" for p in rw])
        statement_is(c, what, policy, "ReadArtifacts", ["s3:GetObject"], [f"{BUCKET_ARN}/artifacts/*"])
        statement_is(c, what, policy, "UseProjectKey",
                     ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"], [key_arn])
        # The jobs register every table themselves (--catalog glue): in the three layer databases and the
        # system database, and nothing more than reading and writing table definitions.
        databases = [DATABASES[d] for d in ("bronze", "silver", "gold", "system")]
        statement_is(c, what, policy, "RegisterTablesInGlue",
                     ["glue:CreateTable", "glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"],
                     [f"arn:aws:glue:{ARN}:catalog"] + [f"arn:aws:glue:{ARN}:database/{d}" for d in databases]
                     + [f"arn:aws:glue:{ARN}:table/{d}/*" for d in databases])
        c.eq(f"{what}: Glue actions only in RegisterTablesInGlue",
             sorted(sid for sid, s in statements(policy).items()
                    if any(a.startswith("glue:") for a in as_list(s["Action"]))), ["RegisterTablesInGlue"])
        statement_is(c, what, policy, "DeltaLogStoreTable",
                     ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                     [f"arn:aws:dynamodb:{ARN}:table/{NAME}-delta-log"])
        log_group_arn = f"arn:aws:logs:{ARN}:log-group:/aws/emr-serverless/{NAME}"
        statement_is(c, what, policy, "WriteJobLogs",
                     ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                     [log_group_arn, f"{log_group_arn}:*"])
        statement_is(c, what, policy, "ConnectToKafkaCluster",
                     ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"], [KAFKA_CLUSTER_ARN])
        topics = statements(policy)["ReadPipelineTopics"]
        c.eq(f"{what} ReadPipelineTopics: the spec's topics of the existing cluster", sorted(topics["Resource"]),
             sorted(f"{KAFKA_CLUSTER_ARN.replace(':cluster/', ':topic/')}/{t}" for t in out["kafka_topics"]))
        c.true(f"{what} ReadPipelineTopics: no write", "kafka-cluster:WriteData" not in topics["Action"])
        statement_is(c, what, policy, "RemoteWriteJobMetrics", ["aps:RemoteWrite"],
                     [out["prometheus_workspace_arn"]])
        no_wildcards(c, what, policy)

    c.check("job role", job_role)

    def delta_log_table():
        ddb = client("dynamodb")
        table = ddb.describe_table(TableName=f"{NAME}-delta-log")["Table"]
        c.eq("Delta LogStore table: key schema", sorted((k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]),
             [("fileName", "RANGE"), ("tablePath", "HASH")])
        c.eq("Delta LogStore table: on demand", table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        sse = table.get("SSEDescription", {})
        c.eq("Delta LogStore table: encrypted with the lake key",
             (sse.get("Status"), sse.get("SSEType"), sse.get("KMSMasterKeyArn")), ("ENABLED", "KMS", key_arn))
        pitr = ddb.describe_continuous_backups(TableName=f"{NAME}-delta-log")["ContinuousBackupsDescription"]
        c.eq("Delta LogStore table: point-in-time recovery",
             pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "ENABLED")
        ttl = ddb.describe_time_to_live(TableName=f"{NAME}-delta-log")["TimeToLiveDescription"]
        c.eq("Delta LogStore table: TTL on expireTime", (ttl.get("TimeToLiveStatus"), ttl.get("AttributeName")),
             ("ENABLED", "expireTime"))
        c.eq("Delta LogStore table: no deletion protection (dev)", table.get("DeletionProtectionEnabled"), False)

    c.check("Delta LogStore table", delta_log_table)

    def log_group():
        groups = client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/emr-serverless/{NAME}")["logGroups"]
        c.eq("job log group: retention and key", [(g["logGroupName"], g.get("retentionInDays"), g.get("kmsKeyId"))
                                                  for g in groups],
             [(f"/aws/emr-serverless/{NAME}", SMALL["retention"], key_arn)])

    c.check("job log group", log_group)

    def prometheus():
        ws_id = out["prometheus_workspace_arn"].split("/")[-1]
        ws = client("amp").describe_workspace(workspaceId=ws_id)["workspace"]
        c.eq("Prometheus workspace: alias and key", (ws["alias"], ws.get("kmsKeyArn")),
             (f"{NAME}-spark-metrics", key_arn))
        c.eq("Prometheus remote write URL", out["prometheus_remote_write_url"],
             f"{ws['prometheusEndpoint']}api/v1/remote_write")

    c.check("Prometheus workspace", prometheus)


def check_catalog(c, out):
    key_arn = out["kms_key_arn"]
    glue = client("glue")

    def databases():
        found = {d["Name"]: d.get("LocationUri") for d in glue.get_databases()["DatabaseList"]}
        expected = {DATABASES[layer]: f"s3://{LAKE_BUCKET}/{PREFIXES[layer]}" for layer in ("bronze", "silver", "gold")}
        expected[DATABASES["system"]] = f"s3://{LAKE_BUCKET}/{PREFIXES['system']}"
        c.eq("Glue databases and their locations", {k: v for k, v in found.items() if k in expected}, expected)
        c.eq("no other Glue databases", sorted(set(found) - set(expected)), [])

    c.check("Glue databases", databases)

    # Terraform creates the databases only: the jobs register every table (the event log included) when
    # they run, and moto runs no job.
    def no_tables():
        for layer in ("bronze", "silver", "gold", "system"):
            database = DATABASES[layer]
            c.eq(f"Glue database {database}: no table (the jobs register them)",
                 [t["Name"] for t in glue.get_tables(DatabaseName=database)["TableList"]], [])

    c.check("Glue tables", no_tables)

    def catalog_encryption():
        settings = glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"]
        c.eq("Glue Data Catalog: SSE-KMS with the lake key", settings["EncryptionAtRest"],
             {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": key_arn})
        c.eq("Glue Data Catalog: connection passwords encrypted", settings["ConnectionPasswordEncryption"],
             {"ReturnConnectionPasswordEncrypted": True, "AwsKmsKeyId": key_arn})

    c.check("Glue Data Catalog encryption", catalog_encryption)

    athena = client("athena")
    for workgroup, results in ((f"{NAME}-analysts", "athena_results"), (f"{NAME}-operators", "operators_athena_results")):
        def check_workgroup(workgroup=workgroup, results=results):
            config = athena.get_work_group(WorkGroup=workgroup)["WorkGroup"]["Configuration"]
            c.eq(f"Athena {workgroup}: configuration enforced", config["EnforceWorkGroupConfiguration"], True)
            result = config["ResultConfiguration"]
            c.eq(f"Athena {workgroup}: results under their prefix, SSE-KMS with the lake key",
                 (result["OutputLocation"], result["EncryptionConfiguration"]),
                 (f"s3://{LAKE_BUCKET}/{PREFIXES[results]}", {"EncryptionOption": "SSE_KMS", "KmsKey": key_arn}))
            c.eq(f"Athena {workgroup}: bytes scanned per query (small preset)",
                 config.get("BytesScannedCutoffPerQuery"), SMALL["bytes_cutoff"])
            c.eq(f"Athena {workgroup}: engine version 3",
                 config["EngineVersion"]["SelectedEngineVersion"], "Athena engine version 3")

        c.check(f"Athena workgroup {workgroup}", check_workgroup)

    def analysts():
        role = client("iam").get_role(RoleName=f"{NAME}-analysts")["Role"]
        trust = statements(role["AssumeRolePolicyDocument"])["TrustedAnalystPrincipals"]
        c.eq("analysts role: trusted principals", as_list(trust["Principal"]["AWS"]),
             [f"arn:aws:iam::{ACCOUNT}:role/{ANALYSTS_PRINCIPAL}"])
        policy = role_policy(f"{NAME}-analysts", "medallion-analysts-access")
        gold = DATABASES["gold"]
        statement_is(c, "analysts policy", policy, "ReadGoldObjects", ["s3:GetObject"], [f"{BUCKET_ARN}/gold/*"])
        c.eq("analysts policy ReadGoldMetadata: gold only", sorted(statements(policy)["ReadGoldMetadata"]["Resource"]),
             sorted([f"arn:aws:glue:{ARN}:catalog", f"arn:aws:glue:{ARN}:database/{gold}",
                     f"arn:aws:glue:{ARN}:table/{gold}/*"]))
        c.eq("analysts policy RunQueriesInWorkgroup: their workgroup only",
             statements(policy)["RunQueriesInWorkgroup"]["Resource"], [f"arn:aws:athena:{ARN}:workgroup/{NAME}-analysts"])
        c.true("analysts policy: nothing of the system database",
               DATABASES["system"] not in json.dumps(policy) and "_system/" not in json.dumps(policy))
        no_wildcards(c, "analysts policy", policy)

    c.check("analysts role", analysts)

    def operators():
        policy = role_policy(f"{NAME}-operators", "medallion-operators-access")
        system = DATABASES["system"]
        statement_is(c, "operators policy", policy, "ReadSystemObjects", ["s3:GetObject"], [f"{BUCKET_ARN}/_system/*"])
        c.eq("operators policy ReadSystemMetadata: the system database only",
             sorted(statements(policy)["ReadSystemMetadata"]["Resource"]),
             sorted([f"arn:aws:glue:{ARN}:catalog", f"arn:aws:glue:{ARN}:database/{system}",
                     f"arn:aws:glue:{ARN}:table/{system}/*"]))
        no_wildcards(c, "operators policy", policy)

    c.check("operators role", operators)


def check_orchestration(c, out, version):
    key_arn = out["kms_key_arn"]
    app_id = out["emr_application_id"]
    app_arn = f"arn:aws:emr-serverless:{ARN}:/applications/{app_id}"
    machine_arn = out["batch_state_machine_arn"]
    c.eq("batch state machine ARN", machine_arn, f"arn:aws:states:{ARN}:stateMachine:{NAME}-batch")

    def state_machine():
        sm = client("stepfunctions").describe_state_machine(stateMachineArn=machine_arn)
        c.eq("state machine: STANDARD, its own role", (sm["type"], sm["roleArn"]),
             ("STANDARD", f"arn:aws:iam::{ACCOUNT}:role/{NAME}-batch-state-machine"))
        logging = sm["loggingConfiguration"]
        c.eq("state machine: logs ALL to its log group", (logging["level"], logging["includeExecutionData"],
                                                         logging["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"]),
             ("ALL", True, f"arn:aws:logs:{ARN}:log-group:/aws/vendedlogs/states/{NAME}-batch:*"))
        definition = json.loads(sm["definition"])
        tasks = {n: s for n, s in definition["States"].items() if s["Type"] == "Task"}
        c.true("state machine: one task per batch job", len(tasks) >= 2, sorted(tasks))
        jar = f"s3://{LAKE_BUCKET}/artifacts/{version}/medallion-jobs-spark.jar"
        spec = f"s3://{LAKE_BUCKET}/artifacts/{version}/pipeline.yaml"
        # modules/job_definitions: var.batch_jobs' default commands, by job run name
        commands = {f"{NAME}-aggregate": ["aggregate", "--once"], f"{NAME}-maintain": ["maintain"]}
        c.eq("state machine: the aggregate and maintain job runs", sorted(t["Parameters"]["Name"] for t in tasks.values()),
             sorted(commands))
        for name, task in tasks.items():
            p = task["Parameters"]
            c.eq(f"{name}: startJobRun.sync on the application with the job role",
                 (task["Resource"], p["ApplicationId"], p["ExecutionRoleArn"]),
                 ("arn:aws:states:::emr-serverless:startJobRun.sync", app_id, out["emr_job_role_arn"]))
            c.eq(f"{name}: runs the published jar of {version[:7]}", p["JobDriver"]["SparkSubmit"]["EntryPoint"], jar)
            if p["Name"] in commands:
                c.eq(f"{name}: arguments (registering its tables in the environment's Glue databases)",
                     p["JobDriver"]["SparkSubmit"]["EntryPointArguments"],
                     commands[p["Name"]] + ["--pipeline", spec, "--lake-root", f"s3a://{LAKE_BUCKET}"]
                     + CATALOG_ARGUMENTS)
            params = p["JobDriver"]["SparkSubmit"]["SparkSubmitParameters"]
            c.true(f"{name}: EMR's Delta jars on the classpath", f"--conf spark.jars={','.join(DELTA_JARS)}" in params,
                   params)
            logging = p["ConfigurationOverrides"]["MonitoringConfiguration"]["CloudWatchLoggingConfiguration"]
            c.eq(f"{name}: logs to the job log group with the lake key",
                 (logging["LogGroupName"], logging["EncryptionKeyArn"]), (f"/aws/emr-serverless/{NAME}", key_arn))
            c.true(f"{name}: has retries and a catch", task.get("Retry") and task.get("Catch"))

    c.check("batch state machine", state_machine)

    def state_machine_role():
        policy = role_policy(f"{NAME}-batch-state-machine", "medallion-batch-jobs")
        statement_is(c, "state machine policy", policy, "StartJobRunsOnApplication", ["emr-serverless:StartJobRun"],
                     [app_arn])
        statement_is(c, "state machine policy", policy, "PassJobRoleToEmrServerlessOnly", ["iam:PassRole"],
                     [out["emr_job_role_arn"]],
                     {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}})

    c.check("state machine role", state_machine_role)

    def schedule():
        s = client("scheduler").get_schedule(Name=f"{NAME}-batch")
        c.eq("schedule: expression, state, no flexible window",
             (s["ScheduleExpression"], s["State"], s["FlexibleTimeWindow"]["Mode"]), (SCHEDULE, "ENABLED", "OFF"))
        c.eq("schedule: starts the state machine with its own role", (s["Target"]["Arn"], s["Target"]["RoleArn"]),
             (machine_arn, f"arn:aws:iam::{ACCOUNT}:role/{NAME}-batch-scheduler"))

    c.check("batch schedule", schedule)

    def alarm():
        sns = client("sns")
        topic = sns.get_topic_attributes(TopicArn=out["alarm_topic_arn"])["Attributes"]
        c.eq("alarm topic: encrypted with the lake key", topic.get("KmsMasterKeyId"), key_arn)
        subs = sns.list_subscriptions_by_topic(TopicArn=out["alarm_topic_arn"])["Subscriptions"]
        c.eq("alarm topic: e-mail subscription", [(s["Protocol"], s["Endpoint"]) for s in subs], [("email", ALARM_EMAIL)])
        alarms = client("cloudwatch").describe_alarms(AlarmNames=[f"{NAME}-batch-failed"])["MetricAlarms"]
        c.eq("failed-executions alarm", [(a["Namespace"], a["MetricName"], a["AlarmActions"]) for a in alarms],
             [("AWS/States", "ExecutionsFailed", [out["alarm_topic_arn"]])])

    c.check("failure alarm", alarm)

    def ci_policy():
        iam = client("iam")
        policy_arn = out["ci_policy_arn"]
        attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=CI_ROLE)["AttachedPolicies"]]
        c.eq(f"job-submitter policy attached to {CI_ROLE}", attached, [policy_arn])
        version_id = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=version_id)["PolicyVersion"]["Document"]
        statement_is(c, "job-submitter policy", document, "PublishArtifacts",
                     ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
                     [f"{BUCKET_ARN}/artifacts/*"])
        statement_is(c, "job-submitter policy", document, "PassJobRoleToEmrServerlessOnly", ["iam:PassRole"],
                     [out["emr_job_role_arn"]],
                     {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}})
        run_jobs = statements(document)["RunJobsOnApplication"]
        c.eq("job-submitter policy RunJobsOnApplication: the one application", sorted(run_jobs["Resource"]),
             sorted([app_arn, f"{app_arn}/jobruns/*"]))
        no_wildcards(c, "job-submitter policy", document)

    c.check("CI job-submitter policy", ci_policy)


def check_state(c):
    s3 = client("s3")

    def state_object():
        head = s3.head_object(Bucket=STATE_BUCKET, Key=STATE_KEY)
        key = client("kms").describe_key(KeyId=STATE_KEY_ALIAS)["KeyMetadata"]["Arn"]
        # AWS reports the key's ARN; moto the key id as the backend sent it (the alias).
        c.true("Terraform state: SSE-KMS under the state key",
               head.get("ServerSideEncryption") == "aws:kms" and head.get("SSEKMSKeyId") in (key, STATE_KEY_ALIAS),
               f"got {head.get('ServerSideEncryption')!r}, {head.get('SSEKMSKeyId')!r}")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=STATE_BUCKET).get("Contents", [])]
        c.eq("Terraform state: no lock file left", keys, [STATE_KEY])

    c.check("Terraform state in S3", state_object)


def applied(args):
    c = Checks("applied")
    out = {k: v["value"] for k, v in json.load(open(args.outputs)).items()}
    seeded = json.load(open(args.seeded))
    c.eq("lake bucket", out["lake_bucket_name"], LAKE_BUCKET)
    check_lake_storage(c, out)
    check_emr_serverless(c, out, seeded)
    check_catalog(c, out)
    check_orchestration(c, out, args.version)
    check_state(c)
    return c


################################################################################
# deployed
################################################################################


def recorded_requests(path):
    entries = []
    if not os.path.exists(path):
        return entries
    with open(path) as f:
        for line in f:
            entry = json.loads(line)
            body = entry.get("body") or ""
            if entry.get("body_encoded"):
                body = base64.b64decode(body)
            entry["raw"] = body if isinstance(body, bytes) else body.encode()
            entries.append(entry)
    return entries


def deployed(args):
    c = Checks("deployed")
    out = {k: v["value"] for k, v in json.load(open(args.outputs)).items()}
    key_arn = out["kms_key_arn"]
    version, old = args.version, args.old_version
    folder = f"artifacts/{version}/"
    s3 = client("s3")
    c.eq("artifact_version output", out["artifact_version"], version)
    c.eq("jar_uri output", out["jar_uri"], f"s3://{LAKE_BUCKET}/{folder}medallion-jobs-spark.jar")
    c.eq("pipeline_uri output", out["pipeline_uri"], f"s3://{LAKE_BUCKET}/{folder}pipeline.yaml")

    def objects():
        jar = s3.get_object(Bucket=LAKE_BUCKET, Key=f"{folder}medallion-jobs-spark.jar")
        with open(args.jar, "rb") as f:
            c.true(f"{folder}medallion-jobs-spark.jar is the deployed jar", jar["Body"].read() == f.read())
        c.eq("the jar: SSE-KMS with the lake key", (jar.get("ServerSideEncryption"), jar.get("SSEKMSKeyId")),
             ("aws:kms", key_arn))
        published = {o["Key"][len(folder):] for o in
                     s3.list_objects_v2(Bucket=LAKE_BUCKET, Prefix=folder).get("Contents", [])}
        spec_files = {os.path.relpath(os.path.join(d, n), args.spec_dir)
                      for d, _, names in os.walk(args.spec_dir) for n in names}
        c.eq(f"{folder}: the jar and the spec folder", published, spec_files | {"medallion-jobs-spark.jar"})
        spec = s3.get_object(Bucket=LAKE_BUCKET, Key=f"{folder}pipeline.yaml")["Body"].read()
        with open(os.path.join(args.spec_dir, "pipeline.yaml"), "rb") as f:
            c.true(f"{folder}pipeline.yaml is the repository's spec", spec == f.read())

    c.check("published artifacts", objects)
    c.check("versioning", lambda: c.eq("lake bucket versioning: Enabled again (the deploy's apply)",
                                       s3.get_bucket_versioning(Bucket=LAKE_BUCKET).get("Status"), "Enabled"))

    emr = client("emr-serverless")
    app_id = out["emr_application_id"]
    streaming = json.loads(out["streaming_job_run_request"])
    topics = json.loads(out["topics_job_run_request"]) if out.get("topics_job_run_request") else None

    def requests_carried():
        starts = []
        for e in recorded_requests(args.recording):
            m = re.search(r"/applications/([^/]+)/jobruns$", e["url"])
            if e["method"] == "POST" and m:
                body = json.loads(e["raw"])
                body.pop("clientToken", None)  # the CLI's idempotency token
                starts.append({"applicationId": m.group(1), **body})  # the path carries the application
        expected = ([topics] if topics else []) + [streaming]
        c.eq("StartJobRun requests of the deploy, in order", [s.get("name") for s in starts],
             [r["name"] for r in expected])
        for sent, request in zip(starts, expected):
            c.eq(f"StartJobRun {request['name']}: sent exactly Terraform's request", sent, request)
        if not starts:
            return
        sent = starts[-1]
        driver = sent["jobDriver"]["sparkSubmit"]
        c.eq("streaming run: entry point is the published jar", driver["entryPoint"], out["jar_uri"])
        arguments = driver["entryPointArguments"]
        c.eq("streaming run: arguments", arguments,
             ["run", "--pipeline", out["pipeline_uri"], "--lake-root", f"s3a://{LAKE_BUCKET}"] + CATALOG_ARGUMENTS
             + ["--bootstrap-servers", KAFKA_BROKERS, "--kafka-auth", "aws-msk-iam"])
        params = driver["sparkSubmitParameters"]
        for expected_conf in (f"--conf spark.jars={','.join(DELTA_JARS)}",
                              "--conf spark.delta.logStore.s3a.impl=io.delta.storage.S3DynamoDBLogStore",
                              f"--conf spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName={NAME}-delta-log",
                              f"--conf spark.io.delta.storage.S3DynamoDBLogStore.ddb.region={REGION}",
                              "--class io.medallion.jobs.Main"):
            c.true(f"streaming run: sparkSubmitParameters has {expected_conf}", expected_conf in params, params)
        c.eq("streaming run: mode, role, no time limit",
             (sent["mode"], sent["executionRoleArn"], sent["executionTimeoutMinutes"]),
             ("STREAMING", out["emr_job_role_arn"], 0))
        monitoring = sent["configurationOverrides"]["monitoringConfiguration"]
        c.eq("streaming run: logs with the lake key, metrics to Prometheus",
             (monitoring["cloudWatchLoggingConfiguration"]["encryptionKeyArn"],
              monitoring["prometheusMonitoringConfiguration"]["remoteWriteUrl"]),
             (key_arn, out["prometheus_remote_write_url"]))
        if topics:
            c.eq("topics run: topics --create on the same cluster with IAM auth",
                 starts[0]["jobDriver"]["sparkSubmit"]["entryPointArguments"],
                 ["topics", "--create", "--pipeline", out["pipeline_uri"], "--lake-root", f"s3a://{LAKE_BUCKET}"]
                 + CATALOG_ARGUMENTS + ["--bootstrap-servers", KAFKA_BROKERS, "--kafka-auth", "aws-msk-iam"])

    c.check("StartJobRun requests (moto's recorder)", requests_carried)

    def job_runs():
        runs = emr.list_job_runs(applicationId=app_id)["jobRuns"]
        by_version = {}
        for run in runs:
            detail = emr.get_job_run(applicationId=app_id, jobRunId=run["id"])["jobRun"]
            # moto's GetJobRun leaves the role out; ListJobRuns has it (AWS: both).
            detail.setdefault("executionRole", run.get("executionRole"))
            tags = detail.get("tags") or {}
            by_version.setdefault((tags.get("medallion:job"), tags.get("medallion:artifact-version")), []).append(detail)
        running = by_version.get(("streaming", version), [])
        c.eq(f"streaming run of {version[:7]}: one, RUNNING", [r["state"] for r in running], ["RUNNING"])
        replaced = by_version.get(("streaming", old), [])
        c.eq(f"streaming run of {old[:7]}: replaced (CANCELLED)", [r["state"] for r in replaced], ["CANCELLED"])
        if replaced:
            # Two streaming runs must never overlap: the old one is cancelled before the new one starts.
            order = [(e["method"], e["url"]) for e in recorded_requests(args.recording)]
            cancel = [i for i, (m, u) in enumerate(order) if m == "DELETE" and u.endswith(f"/jobruns/{replaced[0]['jobRunId']}")]
            start = [i for i, (m, u) in enumerate(order) if m == "POST" and u.endswith(f"/applications/{app_id}/jobruns")]
            c.true(f"streaming run of {old[:7]} cancelled before the run of {version[:7]} started",
                   cancel and start and cancel[0] < start[-1], f"cancel at {cancel}, starts at {start}")
        if topics:
            c.eq(f"topics run of {version[:7]}: SUCCESS", [r["state"] for r in by_version.get(("topics", version), [])],
                 ["SUCCESS"])
        if running:
            run = running[0]
            c.eq("GetJobRun: role, entry point, arguments, mode",
                 (run["executionRole"], run["jobDriver"]["sparkSubmit"]["entryPoint"],
                  run["jobDriver"]["sparkSubmit"]["entryPointArguments"], run.get("mode")),
                 (out["emr_job_role_arn"], out["jar_uri"], streaming["jobDriver"]["sparkSubmit"]["entryPointArguments"],
                  "STREAMING"))
            c.eq("GetJobRun: release label", run["releaseLabel"], "emr-spark-8.0.0")
        app = emr.get_application(applicationId=app_id)["application"]
        c.eq("application auto-started by the job runs", app["state"], "STARTED")

    c.check("job runs", job_runs)
    return c


def tamper(args):
    client("s3").put_bucket_versioning(Bucket=LAKE_BUCKET, VersioningConfiguration={"Status": "Suspended"})
    print(f"  {LAKE_BUCKET}: versioning suspended through the API")


def teardown(args):
    c = Checks("teardown")
    out = {k: v["value"] for k, v in json.load(open(args.outputs)).items()}
    emr = client("emr-serverless")
    app_id = out["emr_application_id"]

    def stop():
        for run in emr.list_job_runs(applicationId=app_id, states=["SUBMITTED", "PENDING", "SCHEDULED", "RUNNING"])[
                "jobRuns"]:
            emr.cancel_job_run(applicationId=app_id, jobRunId=run["id"])
        emr.stop_application(applicationId=app_id)
        c.eq("application stopped before destroy", emr.get_application(applicationId=app_id)["application"]["state"],
             "STOPPED")

    c.check("cancel the job runs, stop the application", stop)
    return c


################################################################################
# destroyed
################################################################################


def destroyed(args):
    c = Checks("destroyed")
    out = {k: v["value"] for k, v in json.load(open(args.outputs)).items()}
    c.check("buckets", lambda: c.eq("buckets left: only the state bucket",
                                    sorted(b["Name"] for b in client("s3").list_buckets()["Buckets"]), [STATE_BUCKET]))
    c.check("Glue", lambda: c.eq("Glue databases left", [d["Name"] for d in client("glue").get_databases()["DatabaseList"]],
                                 []))
    c.check("EMR Serverless", lambda: c.eq(
        "EMR Serverless applications left (not TERMINATED)",
        [a["name"] for a in client("emr-serverless").list_applications()["applications"] if a["state"] != "TERMINATED"],
        []))
    c.check("DynamoDB", lambda: c.eq("DynamoDB tables left", client("dynamodb").list_tables()["TableNames"], []))

    def iam():
        iam_client = client("iam")
        roles = [r["RoleName"] for r in iam_client.list_roles()["Roles"] if r["RoleName"].startswith(f"{NAME}-")]
        c.eq(f"IAM roles {NAME}-* left", roles, [])
        policies = [p["PolicyName"] for p in iam_client.list_policies(Scope="Local")["Policies"]]
        c.eq("IAM policies left", policies, [])
        c.eq(f"policies still attached to {CI_ROLE}",
             iam_client.list_attached_role_policies(RoleName=CI_ROLE)["AttachedPolicies"], [])

    c.check("IAM", iam)
    c.check("logs", lambda: c.eq("log groups left", [g["logGroupName"] for g in
                                                     client("logs").describe_log_groups()["logGroups"]], []))
    c.check("Step Functions", lambda: c.eq("state machines left", client("stepfunctions").list_state_machines()[
        "stateMachines"], []))
    c.check("Scheduler", lambda: c.eq("schedules left", client("scheduler").list_schedules()["Schedules"], []))
    c.check("SNS", lambda: c.eq("SNS topics left", client("sns").list_topics()["Topics"], []))
    c.check("CloudWatch", lambda: c.eq("alarms left", client("cloudwatch").describe_alarms()["MetricAlarms"], []))
    c.check("Athena", lambda: c.eq("Athena workgroups left", sorted(
        w["Name"] for w in client("athena").list_work_groups()["WorkGroups"] if w["Name"] != "primary"), []))
    c.check("Prometheus", lambda: c.eq("Prometheus workspaces left", [
        w["alias"] for w in client("amp").list_workspaces()["workspaces"]], []))
    c.check("EC2", lambda: c.eq("security groups left", sorted(
        g["GroupName"] for g in client("ec2").describe_security_groups()["SecurityGroups"] if g["GroupName"] != "default"),
        []))

    def kms():
        k = client("kms")
        c.eq("lake key scheduled for deletion", k.describe_key(KeyId=out["kms_key_arn"])["KeyMetadata"]["KeyState"],
             "PendingDeletion")
        aliases = [a["AliasName"] for a in k.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")]
        c.eq("KMS aliases left: only the state key's", aliases, [STATE_KEY_ALIAS])

    c.check("KMS", kms)

    def state():
        body = json.loads(client("s3").get_object(Bucket=STATE_BUCKET, Key=STATE_KEY)["Body"].read())
        c.eq("Terraform state: no resources", body.get("resources"), [])

    c.check("Terraform state", state)
    return c


################################################################################
# moto's recorder
################################################################################


def recording(args):
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    context = ssl.create_default_context(cafile=os.environ.get("AWS_CA_BUNDLE"))
    action = {"start": "start-recording", "stop": "stop-recording"}[args.action]
    request = urllib.request.Request(f"{endpoint}/moto-api/recorder/{action}", method="POST", data=b"")
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        response.read()


def main():
    parser = argparse.ArgumentParser(description="infra/moto/test.sh's checks against moto")
    sub = parser.add_subparsers(dest="stage", required=True)
    p = sub.add_parser("seed")
    p.add_argument("--tfvars", required=True)
    p.add_argument("--seeded", required=True)
    for stage in ("applied", "deployed", "teardown", "destroyed"):
        p = sub.add_parser(stage)
        p.add_argument("--outputs", required=True, help="terraform output -json")
        p.add_argument("--counts", required=True)
        p.add_argument("--seeded")
        p.add_argument("--version")
        p.add_argument("--old-version")
        p.add_argument("--jar")
        p.add_argument("--spec-dir")
        p.add_argument("--recording")
    sub.add_parser("tamper")
    p = sub.add_parser("recording")
    p.add_argument("action", choices=["start", "stop"])
    args = parser.parse_args()

    if args.stage == "seed":
        seed(args)
        return 0
    if args.stage == "recording":
        recording(args)
        return 0
    if args.stage == "tamper":
        tamper(args)
        return 0
    checks = {"applied": applied, "deployed": deployed, "teardown": teardown, "destroyed": destroyed}[args.stage](args)
    checks.write(args.counts)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
