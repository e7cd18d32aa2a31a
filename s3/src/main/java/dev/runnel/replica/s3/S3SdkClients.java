package dev.runnel.replica.s3;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;

/**
 * Builds the SDK side shared by clients of equal connection settings ({@link SharedSdk}): the HTTP
 * client, the two S3 clients (normal and conditional retries), signing and TLS quirks of S3 clones.
 */
final class S3SdkClients {
  /**
   * The stats of the client whose request runs on this thread. Set by
   * {@link S3ReplicaClient#call} around each SDK call, read by the shared clients' interceptor to
   * count attempts (the sync SDK client runs a request, retries included, on the caller's thread).
   */
  static final ThreadLocal<S3Stats> CURRENT_STATS = new ThreadLocal<>();

  private S3SdkClients() {}

  static SharedSdk buildShared(SharedSdk.Key key, S3ReplicaClient.Config config) {
    SdkHttpClient http = httpClient(config);
    try {
      S3Client s3 = sdkClient(config, http, AwsRetryStrategy.standardRetryStrategy().toBuilder()
          .maxAttempts(config.maxAttempts())
          .backoffStrategy(BackoffStrategy.exponentialDelay(config.retryBaseDelay(), config.retryMaxDelay()))
          .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(config.retryBaseDelay().multipliedBy(5),
              config.retryMaxDelay()))
          .circuitBreakerEnabled(false)
          .build());
      S3Client s3Conditional = sdkClient(config, http, DefaultRetryStrategy.standardStrategyBuilder()
          .maxAttempts(config.maxAttempts())
          .retryOnException(S3Errors::certainlyNotApplied)
          .treatAsThrottling(S3Errors::isThrottling)
          .backoffStrategy(BackoffStrategy.exponentialDelay(config.retryBaseDelay(), config.retryMaxDelay()))
          .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(config.retryBaseDelay().multipliedBy(5),
              config.retryMaxDelay()))
          .circuitBreakerEnabled(false)
          .useClientDefaults(false)
          .build());
      return new SharedSdk(key, http, s3, s3Conditional);
    } catch (RuntimeException e) {
      http.close();
      throw e;
    }
  }

  private static SdkHttpClient httpClient(S3ReplicaClient.Config c) {
    UrlConnectionHttpClient.Builder b = UrlConnectionHttpClient.builder()
        .connectionTimeout(c.connectTimeout())
        .socketTimeout(c.readTimeout());
    if (c.skipVerify()) {
      b.tlsTrustManagersProvider(() -> new TrustManager[] {new TrustAll()});
      return b.buildWithDefaults(software.amazon.awssdk.utils.AttributeMap.builder()
          .put(software.amazon.awssdk.http.SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE)
          .build());
    }
    return b.build();
  }

  private static S3Client sdkClient(S3ReplicaClient.Config c, SdkHttpClient http, RetryStrategy retry) {
    S3ClientBuilder b = S3Client.builder()
        .httpClient(http)
        .serviceConfiguration(S3Configuration.builder()
            .pathStyleAccessEnabled(c.forcePathStyle())
            // Bodies are in memory; a plain Content-Length upload is what every S3 clone accepts
            // (GCS rejects aws-chunked).
            .chunkedEncodingEnabled(false)
            .expectContinueEnabled(false)
            .build());
    AwsCredentialsProvider creds = c.accessKeyId() != null
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()))
        : DefaultCredentialsProvider.builder().build();
    b.credentialsProvider(creds);
    String region = c.region();
    if (region == null) {
      try {
        region = new DefaultAwsRegionProviderChain().getRegion().id();
      } catch (SdkException e) {
        region = "us-east-1";
      }
      b.crossRegionAccessEnabled(true);
    }
    b.region(Region.of(region));
    if (c.endpoint() != null) {
      b.endpointOverride(URI.create(c.endpoint()));
      // SDK >= 2.30 adds CRC checksum headers and trailers that GCS, R2 and older MinIO reject.
      b.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
      b.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    if (c.requireContentMD5()) {
      // Content-MD5 on operations that require a checksum (DeleteObjects), as before SDK 2.30.
      b.addPlugin(LegacyMd5Plugin.create());
    }
    S3AuthSchemeProvider defaults = S3AuthSchemeProvider.defaultProvider();
    boolean sign = c.signPayload();
    b.authSchemeProvider(params -> defaults.resolveAuthScheme(params).stream()
        .map(o -> o.toBuilder().putSignerProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, sign).build())
        .toList());
    if (c.endpoint() != null && c.requireContentMD5()) {
      b.putAuthScheme(new Md5OnlyAuthScheme());
    }
    b.overrideConfiguration(o -> o.retryStrategy(retry).addExecutionInterceptor(new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attrs) {
        // The sync SDK client runs a request, retries included, on the caller's thread.
        S3Stats stats = CURRENT_STATS.get();
        if (stats != null) {
          stats.attempt();
        }
      }
    }));
    return b.build();
  }

  /**
   * SigV4 for S3 clones: operations that require a checksum (DeleteObjects) get a CRC32 checksum
   * header from SDK &ge; 2.30 even with WHEN_REQUIRED, next to the Content-MD5 of
   * {@link LegacyMd5Plugin}. GCS and S3Proxy reject {@code x-amz-checksum-crc32} (S3Proxy: 501
   * NotImplemented); Content-MD5 alone is what they and AWS accept. The checksum is computed by the
   * signer, so this signer drops it (and the algorithm header) before signing when Content-MD5 is
   * present.
   */
  private static final class Md5OnlyAuthScheme implements AuthScheme<AwsCredentialsIdentity> {
    private final AwsV4HttpSigner delegate = AwsV4HttpSigner.create();
    private final HttpSigner<AwsCredentialsIdentity> signer = new HttpSigner<>() {
      @Override
      public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> r) {
        if (r.request().firstMatchingHeader("Content-MD5").isEmpty()) {
          return delegate.sign(r);
        }
        SdkHttpRequest.Builder rb = r.request().toBuilder();
        for (String h : r.request().headers().keySet()) {
          String lower = h.toLowerCase(Locale.ROOT);
          if (lower.startsWith("x-amz-checksum-") || lower.equals("x-amz-sdk-checksum-algorithm")) {
            rb.removeHeader(h);
          }
        }
        return delegate.sign(r.copy(b -> b.request(rb.build()).putProperty(AwsV4FamilyHttpSigner.CHECKSUM_ALGORITHM, null)));
      }

      @Override
      public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> r) {
        return delegate.signAsync(r);
      }
    };

    @Override
    public String schemeId() {
      return AwsV4AuthScheme.SCHEME_ID;
    }

    @Override
    public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
      return providers.identityProvider(AwsCredentialsIdentity.class);
    }

    @Override
    public HttpSigner<AwsCredentialsIdentity> signer() {
      return signer;
    }
  }

  /** skipVerify: accepts every certificate (host names are not checked either). */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
