/**
 * OAuth 2.1 resource server: a Bearer JWT verified with jose against the issuer's
 * remote JWKS (fetched, cached and refreshed on an unknown key id by jose), the
 * issuer, this server's resource URL as audience, exp/nbf, and a required scope.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import type { Authenticator, AuthFailureReason, AuthOutcome } from "./types.ts";

/** Asymmetric algorithms only: a JWKS holds public keys, and "none" or HMAC are never accepted. */
export const ACCEPTED_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];

export interface JwtOptions {
  jwksUrl: string;
  issuer: string;
  /** This server's resource URL; tokens must name it in `aud`. */
  audience: string;
  requiredScope: string;
  /** Clock skew tolerated for exp and nbf, in seconds. */
  clockToleranceSec?: number;
  /** How long fetched keys are trusted before a refetch, ms (jose's cacheMaxAge). */
  cacheMaxAgeMs?: number;
}

/** The scopes a token grants: `scope` (space-separated, RFC 9068) or `scp` (string or list). */
export function scopesOf(payload: JWTPayload): string[] {
  const raw = payload["scope"] ?? payload["scp"];
  if (typeof raw === "string") return raw.split(" ").filter((s) => s !== "");
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === "string");
  return [];
}

function refuse(description: string, reason: AuthFailureReason): AuthOutcome {
  return { ok: false, reason, code: "invalid_token", description };
}

/** Maps a jose failure to a description that names the problem but never the token. */
function describe(err: unknown): AuthOutcome {
  if (err instanceof errors.JWTExpired) return refuse("the token has expired", "expired");
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case "iss":
        return refuse("the token was issued by another issuer", "issuer");
      case "aud":
        return refuse("the token is not meant for this server (audience)", "audience");
      case "nbf":
        return refuse("the token is not valid yet", "not_before");
      default:
        return refuse(`the token's ${err.claim} claim is invalid`, "claim");
    }
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return refuse("the token's signature does not verify", "signature");
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return refuse("the token was signed with a key the issuer does not publish", "unknown_key");
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return refuse("the token's algorithm is not accepted", "algorithm");
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
    return refuse("the issuer's keys could not be fetched", "jwks_unavailable");
  }
  if (err instanceof errors.JOSEError) return refuse("the token is malformed", "malformed");
  return refuse("the token could not be verified", "unverifiable");
}

export function jwtAuthenticator(o: JwtOptions): Authenticator {
  const jwks = createRemoteJWKSet(new URL(o.jwksUrl), {
    cacheMaxAge: o.cacheMaxAgeMs ?? 10 * 60 * 1000,
    cooldownDuration: 30_000,
    timeoutDuration: 5_000,
  });
  return {
    requiredScope: o.requiredScope,
    async authenticate(token: string): Promise<AuthOutcome> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: o.issuer,
          audience: o.audience,
          algorithms: ACCEPTED_ALGORITHMS,
          clockTolerance: o.clockToleranceSec ?? 30,
          requiredClaims: ["exp", "sub"],
        }));
      } catch (err) {
        return describe(err);
      }
      const scopes = scopesOf(payload);
      if (!scopes.includes(o.requiredScope)) {
        return {
          ok: false,
          reason: "scope",
          code: "insufficient_scope",
          description: `the token lacks the scope ${o.requiredScope}`,
        };
      }
      const subject = payload.sub!;
      const client = payload["client_id"] ?? payload["azp"];
      return {
        ok: true,
        value: {
          subject,
          clientId: typeof client === "string" ? client : subject,
          scopes,
          ...(payload.exp !== undefined ? { expiresAt: payload.exp } : {}),
          method: "jwt",
        },
      };
    },
  };
}
