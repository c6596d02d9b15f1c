/** Medallion gold. */
package io.medallion.gold;
