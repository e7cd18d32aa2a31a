package dev.runnel.replica.s3;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** Classifying and describing SDK failures: retry safety, throttling, error codes, messages. */
final class S3Errors {
  private S3Errors() {}

  /**
   * Whether a failed attempt certainly did not change the bucket, so that repeating a conditional
   * request cannot turn our own success into a 412: throttling (503 SlowDown / ServiceUnavailable,
   * which S3 documents as not processed) and connections that were never established. A reset or
   * timeout after the request was sent, or a 500, is ambiguous and not retried.
   */
  static boolean certainlyNotApplied(Throwable t) {
    if (isThrottling(t)) {
      return true;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException || c instanceof java.net.UnknownHostException
          || c instanceof java.net.NoRouteToHostException) {
        return true;
      }
    }
    return false;
  }

  static boolean isThrottling(Throwable t) {
    if (t instanceof AwsServiceException se) {
      String code = se.awsErrorDetails() != null ? se.awsErrorDetails().errorCode() : null;
      return se.statusCode() == 503 || se.statusCode() == 429 || "SlowDown".equals(code)
          || "Throttling".equals(code) || "RequestLimitExceeded".equals(code);
    }
    return false;
  }

  static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  static String errorCode(SdkException e) {
    if (e instanceof AwsServiceException se) {
      String code = se.awsErrorDetails() != null ? se.awsErrorDetails().errorCode() : null;
      return code != null && !code.isEmpty() ? code : Integer.toString(se.statusCode());
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName();
  }

  static String describeError(SdkException e) {
    if (e instanceof AwsServiceException se) {
      String code = se.awsErrorDetails() != null ? se.awsErrorDetails().errorCode() : null;
      String msg = se.awsErrorDetails() != null ? se.awsErrorDetails().errorMessage() : se.getMessage();
      return "HTTP status " + se.statusCode() + (code != null ? " " + code : "") + (msg != null ? ": " + msg : "")
          + (se.requestId() != null ? " (request id " + se.requestId() + ")" : "");
    }
    StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != e) {
      b.append(" (").append(root.getClass().getName()).append(": ").append(root.getMessage()).append(')');
    }
    return b.toString();
  }
}
