/** Medallion silver. */
package io.medallion.silver;
