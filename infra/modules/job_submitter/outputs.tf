output "policy_arn" {
  description = "ARN of the job-submitter policy; attach it to the CI principal."
  value       = try(aws_iam_policy.this.arn, null)
}

output "policy_name" {
  description = "Name of the job-submitter policy."
  value       = try(aws_iam_policy.this.name, null)
}
