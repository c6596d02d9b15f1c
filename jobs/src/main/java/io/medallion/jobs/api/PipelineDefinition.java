package io.medallion.jobs.api;

import io.medallion.core.spec.Pipeline;

/**
 * A pipeline defined in Java, which every command runs when named with {@code --pipeline
 * java:com.example.OrdersPipeline}: the class implements this interface, has a public no-argument
 * constructor, and usually returns {@link PipelineBuilder#build()}.
 */
public interface PipelineDefinition {
  /** The pipeline, validated. */
  Pipeline define();
}
