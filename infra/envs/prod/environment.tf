# The prod environment. This is the only configuration of its own: the other
# .tf files here are links to ../shared (the root module every environment
# shares), whose module "platform" takes the sizing, retention and protection
# of the preset named here (modules/platform: "small" or "large"). "large"
# also turns on deletion protection: the Delta LogStore table's, and a guard
# that makes any plan destroying or replacing the KMS key or the buckets fail.

locals {
  environment = "prod"
  size        = "large"
}
