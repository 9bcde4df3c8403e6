/**
 * Bearer authentication (RFC 6750) for /mcp and /metrics: no credential -> 401 with a
 * challenge naming the protected resource metadata; a bad one -> 401 invalid_token; a
 * token without the required scope -> 403 insufficient_scope. Credentials in the URL
 * are refused outright: URLs end up in proxy logs and browser history.
 */
import type { Authenticator } from "../../auth/types.ts";
import { bearerChallenge } from "../../auth/protected_resource.ts";
import { jsonRpcError } from "../http_responses.ts";
import type { Middleware } from "./types.ts";

/** Query parameters that look like credentials (compared case-insensitively). */
export const QUERY_CREDENTIAL_PARAMS = [
  "access_token",
  "token",
  "api_key",
  "apikey",
  "key",
  "bearer",
];

export interface ChallengeParams {
  /** The RFC 9728 metadata URL (JWT mode). */
  resourceMetadata?: string;
  /** A realm, for API key mode. */
  realm?: string;
}

/** Refuses any request carrying a credential-like query parameter, with 400 invalid_request. */
export function noQueryCredentials(challenge: ChallengeParams): Middleware {
  return (c, next) => {
    for (const name of c.url.searchParams.keys()) {
      if (QUERY_CREDENTIAL_PARAMS.includes(name.toLowerCase())) {
        return Promise.resolve(
          jsonRpcError(
            400,
            -32000,
            "Bad Request: credentials are not accepted in the query string; use the Authorization header",
            {
              headers: {
                "www-authenticate": bearerChallenge({
                  ...challenge,
                  error: "invalid_request",
                  description: "token in query string",
                }),
              },
            },
          ),
        );
      }
    }
    return next();
  };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | null): string | undefined {
  const m = header?.match(/^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i);
  return m?.[1];
}

export interface BearerAuthOptions {
  authenticator: Authenticator;
  challenge: ChallengeParams;
  /** Told the reason of every refusal (metrics). */
  onFailure?: (reason: string) => void;
}

export function bearerAuth(o: BearerAuthOptions): Middleware {
  return async (c, next) => {
    const token = bearerToken(c.req.headers.get("authorization"));
    if (token === undefined) {
      o.onFailure?.("missing");
      return jsonRpcError(401, -32000, "Unauthorized: send Authorization: Bearer <token>", {
        headers: { "www-authenticate": bearerChallenge(o.challenge) },
      });
    }
    const outcome = await o.authenticator.authenticate(token);
    if (!outcome.ok) {
      o.onFailure?.(outcome.reason);
      const scope = outcome.code === "insufficient_scope"
        ? o.authenticator.requiredScope
        : undefined;
      return jsonRpcError(
        outcome.code === "insufficient_scope" ? 403 : 401,
        -32000,
        `${
          outcome.code === "insufficient_scope" ? "Forbidden" : "Unauthorized"
        }: ${outcome.description}`,
        {
          headers: {
            "www-authenticate": bearerChallenge({
              ...o.challenge,
              error: outcome.code,
              description: outcome.description,
              ...(scope !== undefined ? { scope } : {}),
            }),
          },
        },
      );
    }
    c.principal = outcome.value;
    return next();
  };
}
