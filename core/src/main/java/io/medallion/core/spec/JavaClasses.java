package io.medallion.core.spec;

import io.medallion.core.error.MedallionException;

/** Creates the Java classes a spec names (silver and gold transforms), with errors that say why. */
public final class JavaClasses {
  private JavaClasses() {}

  /**
   * A new instance of the class {@code className}, which must implement {@code type} and have a
   * public constructor without arguments.
   *
   * @param where the spec key (and line) that names it, for the error when it is not found
   */
  public static <T> T instantiate(String className, Class<T> type, String where) {
    Class<?> found;
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try {
      // The context loader sees jars added at run time (spark.jars); the fallback, the launcher's.
      found = Class.forName(className, true, loader == null ? type.getClassLoader() : loader);
    } catch (ClassNotFoundException e) {
      throw new MedallionException(
          "The transform class " + className + " named at " + where + " is not on the classpath.",
          "Check the class name, and add its jar with --conf spark.jars=... or to the classpath.");
    }
    if (!type.isAssignableFrom(found)) {
      throw new MedallionException(
          "The transform class " + className + " does not implement " + type.getSimpleName() + ".",
          "Implement " + type.getName() + ".");
    }
    try {
      return type.cast(found.getDeclaredConstructor().newInstance());
    } catch (ReflectiveOperationException e) {
      throw new MedallionException(
          "Cannot create the transform " + className + ": " + e,
          "Give it a public constructor without arguments.",
          e);
    }
  }
}
