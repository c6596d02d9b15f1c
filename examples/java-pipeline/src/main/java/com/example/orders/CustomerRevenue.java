package com.example.orders;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import io.medallion.gold.GoldTransform;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Orders and revenue per customer, with the customer's name and country as they are now. Orders of
 * a customer without a record yet are kept, with a null name and country.
 */
public final class CustomerRevenue implements GoldTransform {
  @Override
  public Dataset<Row> compute(SparkSession spark) {
    Dataset<Row> customers =
        spark.table("silver.customers").select("customer_id", "name", "country");
    return spark
        .table("silver.orders")
        .groupBy("customer_id")
        .agg(count("*").alias("orders"), sum("amount_eur").alias("revenue_eur"))
        .join(customers, "customer_id", "left")
        .select(col("customer_id"), col("name"), col("country"), col("orders"), col("revenue_eur"));
  }
}
