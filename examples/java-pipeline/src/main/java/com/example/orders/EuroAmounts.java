package com.example.orders;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.medallion.silver.SilverTransform;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Adds the order's UTC date and its amount in euros, at the shop's fixed booking rates. An order in
 * a currency without a rate gets no euro amount, which the {@code currency_known} rule quarantines.
 */
public final class EuroAmounts implements SilverTransform {
  @Override
  public Dataset<Row> apply(Dataset<Row> input) {
    Column rate =
        when(col("currency").equalTo("EUR"), lit("1.00"))
            .when(col("currency").equalTo("USD"), lit("0.90"))
            .when(col("currency").equalTo("GBP"), lit("1.20"))
            .cast("decimal(4,2)");
    return input
        .withColumn("order_date", to_date(col("ordered_at")))
        .withColumn("amount_eur", col("amount").multiply(rate).cast("decimal(12,2)"));
  }
}
