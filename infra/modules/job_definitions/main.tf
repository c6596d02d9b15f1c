# What Medallion's job runs are: the jar and pipeline spec of one artifact
# version, and the StartJobRun requests of the streaming job and of the batch
# jobs. No resources: the orchestration module turns the batch requests into
# Step Functions tasks, CI submits the streaming request, and
# `ci/deploy.sh --dry-run` plans this module alone (no provider, no account)
# to render the requests offline, so there is one definition of each request.

locals {
  # ci/publish.sh uploads these two objects (names in ci/lib.sh); ci/deploy.sh
  # stops if the two disagree.
  artifact_uri = "s3://${var.lake_bucket_name}/${var.artifacts_prefix}${var.artifact_version}/"
  jar_uri      = "${local.artifact_uri}medallion-jobs-spark.jar"
  pipeline_uri = "${local.artifact_uri}pipeline.yaml"

  # Hadoop's S3A filesystem, as the jobs expect; the layers are prefixes below.
  lake_root = "s3a://${var.lake_bucket_name}"

  main_class = "io.medallion.jobs.Main"

  # Spark's metrics system on every job: the streaming queries report their
  # metrics (input and processing rates, latency, state), and the
  # PrometheusServlet sink serves all metrics at /metrics/prometheus, where the
  # job run's Prometheus monitoring picks them up. spark_conf may override
  # these values.
  metrics_spark_conf = {
    "spark.sql.streaming.metricsEnabled"                = "true"
    "spark.metrics.conf.*.sink.prometheusServlet.class" = "org.apache.spark.metrics.sink.PrometheusServlet"
    "spark.metrics.conf.*.sink.prometheusServlet.path"  = "/metrics/prometheus"
  }

  # Delta on EMR Serverless: the jobs jar does not bundle Delta (it is
  # "provided"), so every job run puts EMR's own Delta jars on the classpath,
  # as the EMR Serverless guide ("Using Delta Lake OSS with EMR Serverless")
  # says Delta jobs must: delta-spark.jar and delta-storage.jar, plus
  # delta-storage-s3-dynamodb.jar, the S3DynamoDBLogStore that the
  # emr_serverless module's spark_conf configures (spark.delta.logStore.s3a.impl
  # and its DynamoDB table). EMR keeps it in the same folder (the EMR on EKS
  # Delta guide names it there). spark_conf may override this.
  delta_spark_conf = {
    "spark.jars" = join(",", [
      "/usr/share/aws/delta/lib/delta-spark.jar",
      "/usr/share/aws/delta/lib/delta-storage.jar",
      "/usr/share/aws/delta/lib/delta-storage-s3-dynamodb.jar",
    ])
  }

  spark_conf = merge(local.metrics_spark_conf, local.delta_spark_conf, var.spark_conf)

  spark_submit_parameters = join(" ", concat(
    ["--class", local.main_class],
    [for k in sort(keys(local.spark_conf)) : "--conf ${k}=${local.spark_conf[k]}"],
  ))

  # Where a job run's Spark metrics go besides the logs: the Amazon Managed
  # Service for Prometheus workspace, if there is one. (A for expression, so
  # that "none" is an empty map of the same type.)
  prometheus_monitoring = {
    for k, v in { prometheusMonitoringConfiguration = { remoteWriteUrl = var.prometheus_remote_write_url } } :
    k => v if var.prometheus_remote_write_url != null
  }

  # Every job run registers the tables it writes in the Glue Data Catalog
  # (and re-registers them when their schema changes): --catalog glue, and
  # the Glue database of each layer, --glue-database LAYER=NAME, with the
  # names of the databases the catalog module creates (modules/platform
  # passes its layer_databases), in a fixed order.
  catalog_layers = ["bronze", "silver", "gold", "_system"]
  catalog_arguments = concat(
    ["--catalog", "glue"],
    flatten([for layer in local.catalog_layers : ["--glue-database", "${layer}=${var.glue_databases[layer]}"]]),
  )

  common_arguments = concat(["--pipeline", local.pipeline_uri, "--lake-root", local.lake_root], local.catalog_arguments)

  # Kafka client settings for MSK IAM authentication, the only authentication
  # the cluster accepts. The credentials are the job role's; nothing secret is
  # configured. The jobs set these four themselves with --kafka-auth
  # aws-msk-iam (their aws-msk-iam-auth library is in the cluster jar); they
  # are kept here for the outputs, for other Kafka clients (the Kafka CLI, to
  # inspect the topics; the deploy's topics job creates them).
  kafka_client_properties = {
    "security.protocol"                  = "SASL_SSL"
    "sasl.mechanism"                     = "AWS_MSK_IAM"
    "sasl.jaas.config"                   = "software.amazon.msk.auth.iam.IAMLoginModule required;"
    "sasl.client.callback.handler.class" = "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
  }

  # The brokers and the authentication method travel as program arguments
  # (the jobs' CLI: --bootstrap-servers, --kafka-auth), not as Spark --conf.
  kafka_arguments = var.kafka_bootstrap_servers == null ? [] : [
    "--bootstrap-servers", var.kafka_bootstrap_servers,
    "--kafka-auth", "aws-msk-iam",
  ]

  streaming_name = "${var.name}-streaming"

  version_tags = merge(var.tags, { "medallion:artifact-version" = var.artifact_version })

  streaming_request = {
    name             = local.streaming_name
    applicationId    = var.application_id
    executionRoleArn = var.job_role_arn
    mode             = "STREAMING"
    # 0: no time limit; the job runs until the next deploy replaces it.
    executionTimeoutMinutes = 0
    retryPolicy             = { maxFailedAttemptsPerHour = var.streaming_max_failed_attempts_per_hour }
    jobDriver = {
      sparkSubmit = {
        entryPoint            = local.jar_uri
        entryPointArguments   = concat(var.streaming_arguments, local.common_arguments, local.kafka_arguments)
        sparkSubmitParameters = local.spark_submit_parameters
      }
    }
    configurationOverrides = {
      monitoringConfiguration = merge(
        {
          cloudWatchLoggingConfiguration = {
            enabled             = true
            logGroupName        = var.log_group_name
            logStreamNamePrefix = local.streaming_name
            encryptionKeyArn    = var.kms_key_arn
          }
        },
        local.prometheus_monitoring,
      )
    }
    tags = merge(local.version_tags, { "medallion:job" = "streaming" })
  }

  # The deploy step before the streaming job (re)starts: `topics --create`
  # creates the spec's source topics that the cluster does not have yet, with
  # the spec's partition counts (the cluster's replication factor), and leaves
  # existing ones as they are. A batch job run with a time limit, in the shape
  # of the streaming request; ci/deploy.sh starts it and waits for SUCCESS. The
  # job role may create exactly the spec's topics (emr_serverless).
  topics_name = "${var.name}-topics"

  topics_request = var.kafka_bootstrap_servers == null ? null : {
    name                    = local.topics_name
    applicationId           = var.application_id
    executionRoleArn        = var.job_role_arn
    mode                    = "BATCH"
    executionTimeoutMinutes = var.topics_timeout_minutes
    jobDriver = {
      sparkSubmit = {
        entryPoint            = local.jar_uri
        entryPointArguments   = concat(["topics", "--create"], local.common_arguments, local.kafka_arguments)
        sparkSubmitParameters = local.spark_submit_parameters
      }
    }
    configurationOverrides = {
      monitoringConfiguration = merge(
        {
          cloudWatchLoggingConfiguration = {
            enabled             = true
            logGroupName        = var.log_group_name
            logStreamNamePrefix = local.topics_name
            encryptionKeyArn    = var.kms_key_arn
          }
        },
        local.prometheus_monitoring,
      )
    }
    tags = merge(local.version_tags, { "medallion:job" = "topics" })
  }

  # The same request in the shape of the Step Functions EMR Serverless
  # integration (upper-case field names). Batch retries are the state
  # machine's, so there is no retryPolicy here.
  batch_parameters = {
    for j in var.batch_jobs : j.name => {
      Name                    = "${var.name}-${j.name}"
      ApplicationId           = var.application_id
      ExecutionRoleArn        = var.job_role_arn
      ExecutionTimeoutMinutes = j.timeout_minutes
      # A new token per attempt: a retried task starts a new job run.
      "ClientToken.$" = "States.UUID()"
      JobDriver = {
        SparkSubmit = {
          EntryPoint            = local.jar_uri
          EntryPointArguments   = concat(j.arguments, local.common_arguments)
          SparkSubmitParameters = local.spark_submit_parameters
        }
      }
      ConfigurationOverrides = {
        MonitoringConfiguration = merge(
          {
            CloudWatchLoggingConfiguration = {
              Enabled             = true
              LogGroupName        = var.log_group_name
              LogStreamNamePrefix = "${var.name}-${j.name}"
              EncryptionKeyArn    = var.kms_key_arn
            }
          },
          { for k, v in local.prometheus_monitoring : "PrometheusMonitoringConfiguration" => { RemoteWriteUrl = v.remoteWriteUrl } },
        )
      }
      Tags = merge(local.version_tags, { "medallion:job" = j.name })
    }
  }
}
