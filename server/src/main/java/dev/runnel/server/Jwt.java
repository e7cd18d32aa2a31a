package dev.runnel.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies compact JWS tokens signed with HS256 (a shared secret) or RS256 (an RSA public key),
 * and checks {@code exp} and {@code nbf}. The algorithm must match a configured key: a token
 * claiming {@code none}, or HS256 when only an RSA key is configured, is rejected. Error messages
 * never include the token or the key. Thread-safe.
 */
public final class Jwt {
  private final byte[] hsSecret;
  private final PublicKey rsaKey;
  private final Duration leeway;
  private final Clock clock;

  /** Thrown for any invalid token; {@link #expired} tells PostgREST's "JWT expired" apart. */
  public static final class InvalidTokenException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean expired;

    InvalidTokenException(String message, boolean expired) {
      super(message);
      this.expired = expired;
    }

    public boolean expired() {
      return expired;
    }
  }

  public Jwt(byte[] hsSecret, PublicKey rsaKey, Duration leeway, Clock clock) {
    if (hsSecret == null && rsaKey == null) {
      throw new IllegalArgumentException("a JWT verifier needs an HS256 secret or an RS256 public key");
    }
    if (hsSecret != null && hsSecret.length < 32) {
      throw new IllegalArgumentException("the HS256 secret must be at least 32 bytes");
    }
    this.hsSecret = hsSecret == null ? null : hsSecret.clone();
    this.rsaKey = rsaKey;
    this.leeway = leeway;
    this.clock = clock;
  }

  /** Parses an RSA public key from PEM ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo). */
  public static PublicKey rsaPublicKeyFromPem(String pem) throws GeneralSecurityException {
    String b64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
  }

  /** Verifies the token and returns its claims. */
  public Map<String, Object> verify(String token) throws InvalidTokenException {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new InvalidTokenException("JWT is malformed: expected 3 parts", false);
    }
    Map<String, Object> header = decodeObject(parts[0], "header");
    Object alg = header.get("alg");
    byte[] sig = b64(parts[2], "signature");
    byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    try {
      if ("HS256".equals(alg) && hsSecret != null) {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(hsSecret, "HmacSHA256"));
        if (!MessageDigest.isEqual(mac.doFinal(signed), sig)) {
          throw new InvalidTokenException("JWT signature is invalid", false);
        }
      } else if ("RS256".equals(alg) && rsaKey != null) {
        Signature v = Signature.getInstance("SHA256withRSA");
        v.initVerify(rsaKey);
        v.update(signed);
        if (!v.verify(sig)) {
          throw new InvalidTokenException("JWT signature is invalid", false);
        }
      } else {
        throw new InvalidTokenException("JWT algorithm is not accepted (configured: "
            + (hsSecret != null ? "HS256" : "") + (hsSecret != null && rsaKey != null ? ", " : "")
            + (rsaKey != null ? "RS256" : "") + ")", false);
      }
    } catch (GeneralSecurityException e) {
      throw new InvalidTokenException("JWT signature is invalid", false);
    }
    Map<String, Object> claims = decodeObject(parts[1], "payload");
    long now = clock.millis() / 1000;
    long skew = leeway.toSeconds();
    Object exp = claims.get("exp");
    if (exp != null) {
      if (!(exp instanceof Number n)) {
        throw new InvalidTokenException("JWT claim exp is not a number", false);
      }
      if (now - skew >= n.longValue()) {
        throw new InvalidTokenException("JWT expired", true);
      }
    }
    Object nbf = claims.get("nbf");
    if (nbf != null) {
      if (!(nbf instanceof Number n)) {
        throw new InvalidTokenException("JWT claim nbf is not a number", false);
      }
      if (now + skew < n.longValue()) {
        throw new InvalidTokenException("JWT not valid yet (nbf)", false);
      }
    }
    return claims;
  }

  private static byte[] b64(String part, String what) throws InvalidTokenException {
    try {
      return Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("JWT " + what + " is not base64url", false);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> decodeObject(String part, String what) throws InvalidTokenException {
    Object o;
    try {
      o = Json.parse(new String(b64(part, what), StandardCharsets.UTF_8));
    } catch (Json.ParseException e) {
      throw new InvalidTokenException("JWT " + what + " is not valid JSON", false);
    }
    if (!(o instanceof Map)) {
      throw new InvalidTokenException("JWT " + what + " is not a JSON object", false);
    }
    return (Map<String, Object>) o;
  }
}
