# The dev environment. This is the only configuration of its own: the other
# .tf files here are links to ../shared (the root module every environment
# shares), whose module "platform" takes the sizing, retention and protection
# of the preset named here (modules/platform: "small" or "large").

locals {
  environment = "dev"
  size        = "small"
}
