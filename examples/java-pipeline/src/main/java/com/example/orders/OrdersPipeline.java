package com.example.orders;

import io.medallion.core.spec.Pipeline;
import io.medallion.jobs.api.PipelineBuilder;
import io.medallion.jobs.api.PipelineDefinition;
import java.util.List;

/**
 * A web shop's orders and its customer records, defined in Java. {@code orders.yaml} (beside the
 * pom) is the same pipeline in YAML; the test runs both and finds the same tables.
 *
 * <p>Run it with {@code --pipeline java:com.example.orders.OrdersPipeline}, the class and its
 * transforms on the classpath.
 */
public final class OrdersPipeline implements PipelineDefinition {
  @Override
  public Pipeline define() {
    return PipelineBuilder.pipeline("orders")
        .description(
            "A web shop's orders and customers, refined into revenue per day and customer.")
        .source(
            "orders", s -> s.topic("shop-orders").partitions(2).format("json").key("customer_id"))
        .source("customers", s -> s.topic("shop-customers").partitions(1).format("json"))
        .bronze("orders", b -> b.source("orders").description("Raw orders."))
        .bronze("customers", b -> b.source("customers").description("Raw customer records."))
        .silver(
            "orders",
            t ->
                t.source("orders")
                    .description("Valid orders, one row per order_id, with the amount in euros.")
                    .field("order_id", "string")
                    .field("customer_id", "string")
                    .field("amount", "decimal(12,2)")
                    .field("currency", "string")
                    .field("ordered_at", "timestamp")
                    .required("order_id", "customer_id", "amount", "currency", "ordered_at")
                    .transform(EuroAmounts.class)
                    .expect("currency_known", "amount_eur IS NOT NULL", "quarantine")
                    .expect("amount_positive", "amount > 0", "quarantine")
                    .append("order_id")
                    .partitionBy("order_date"))
        .silver(
            "customers",
            t ->
                t.source("customers")
                    .description("Customers as they are now (SCD type 1).")
                    .field("customer_id", "string")
                    .field("name", "string")
                    .field("country", "string")
                    .field("version", "bigint")
                    .required("customer_id", "version")
                    .scd1(List.of("customer_id"), "version"))
        .gold(
            "daily_revenue",
            g ->
                g.description(
                        "Per UTC order date: orders, distinct customers and revenue in euros.")
                    .incremental("order_date")
                    .sql(
                        "SELECT order_date, count(*) AS orders,"
                            + " count(DISTINCT customer_id) AS customers,"
                            + " sum(amount_eur) AS revenue_eur"
                            + " FROM silver.orders GROUP BY order_date"))
        .gold(
            "customer_revenue",
            g ->
                g.description("Per customer: name and country as they are now, orders, revenue.")
                    .full()
                    .compute(CustomerRevenue.class, "silver.orders", "silver.customers"))
        .build();
  }
}
