/** Medallion testkit. */
package io.medallion.testkit;
