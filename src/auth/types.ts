/**
 * What an authenticator returns: who is calling, or why not, in the terms of RFC 6750
 * (invalid_token -> 401, insufficient_scope -> 403) so the middleware can answer.
 */

import type { ResultWith } from "../result.ts";

/** An authenticated caller. */
export interface Principal {
  /** Stable identity for logs, metrics and rate limits (JWT `sub`, or the API key's name). */
  subject: string;
  /** The OAuth client, when the token names one; otherwise the subject. */
  clientId: string;
  scopes: string[];
  /** Expiry, seconds since the epoch, when known. */
  expiresAt?: number;
  method: "jwt" | "api-key";
}

/** Every reason an authenticator or the middleware gives for a refusal: a closed set, so it can label metrics. */
export const AUTH_FAILURE_REASONS = [
  "missing",
  "metrics_token",
  "unknown_key",
  "expired",
  "issuer",
  "audience",
  "not_before",
  "claim",
  "signature",
  "algorithm",
  "jwks_unavailable",
  "malformed",
  "unverifiable",
  "scope",
] as const;
export type AuthFailureReason = typeof AUTH_FAILURE_REASONS[number];

/** A Result (src/result.ts) whose failure also carries what the WWW-Authenticate header says. */
/** The failure's reason is a short label for metrics, e.g. "expired", "audience". */
export type AuthOutcome = ResultWith<Principal, {
  /** The RFC 6750 error code sent in WWW-Authenticate. */
  code: "invalid_token" | "insufficient_scope";
  /** Safe to send to the client: never the token or a key. */
  description: string;
}, AuthFailureReason>;

/** Checks a bearer credential. Never throws for a bad credential. */
export interface Authenticator {
  authenticate(token: string): Promise<AuthOutcome>;
  /** The scope every request needs, named in a 403's challenge (JWT mode). */
  readonly requiredScope?: string;
}
