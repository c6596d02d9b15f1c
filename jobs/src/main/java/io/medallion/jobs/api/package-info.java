/**
 * The Java API: pipelines defined in code ({@link io.medallion.jobs.api.PipelineBuilder}) and run
 * by every command with {@code --pipeline java:CLASS} ({@link
 * io.medallion.jobs.api.PipelineDefinition}). Transforms in Java implement {@code
 * io.medallion.silver.SilverTransform} and {@code io.medallion.gold.GoldTransform}.
 */
package io.medallion.jobs.api;
