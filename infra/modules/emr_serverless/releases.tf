# Which EMR Serverless releases can run the Medallion jar: a release whose
# Spark or Delta minor version (major.minor) differs from the build's is
# refused at plan time (the validations of var.release_label), and so is a
# release this table does not know.

locals {
  # The Spark and Delta versions Medallion is built against: the major.minor of
  # <spark.version> and <delta.version> in the repository's pom.xml. ci/test.sh
  # checks that the two agree; change both together.
  build = { spark = "4.0", delta = "4.0" }

  # EMR Serverless release labels this module knows, with the Spark and Delta
  # versions they ship, as the "Application version information" table of
  # each release's page in the EMR Serverless User Guide lists them
  # (release-version-emr-spark-8.0.0, release-version-emr-spark-8.2.0); not
  # checked on a running application. To use another release, add its label
  # here with its versions.
  releases = {
    # Spark 4.0.2-amzn-0, Delta 4.0.0-amzn-1-spark.
    "emr-spark-8.0.0" = { spark = "4.0.2", delta = "4.0.0" }
    # Spark 4.1.3-amzn-0, Delta 4.2.0-amzn-0.
    "emr-spark-8.2.0" = { spark = "4.1.3", delta = "4.2.0" }
  }

  # Each known release: is its Spark minor version (major.minor) the build's,
  # is its Delta minor version the build's, and so can it run the jar.
  release_checks = {
    for label, r in local.releases : label => {
      same_spark_minor = join(".", slice(split(".", r.spark), 0, 2)) == local.build.spark
      same_delta_minor = join(".", slice(split(".", r.delta), 0, 2)) == local.build.delta
    }
  }

  supported_release_labels = sort([for label, c in local.release_checks : label if c.same_spark_minor && c.same_delta_minor])
}
