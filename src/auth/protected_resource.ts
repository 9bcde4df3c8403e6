/**
 * RFC 9728 protected resource metadata and the RFC 6750 challenges that point to it.
 * Everything comes from configuration, never from request headers, so a forged Host
 * cannot redirect a client to another authorization server.
 */

/** Where the metadata lives: the origin-level well-known URL (the path-suffixed form is served too). */
export const METADATA_PATH = "/.well-known/oauth-protected-resource";

/**
 * The metadata URL for a resource URL.
 *
 * @example metadataUrl("https://mcp.example.com/mcp") // "https://mcp.example.com/.well-known/oauth-protected-resource"
 */
export function metadataUrl(resourceUrl: string): string {
  return new URL(METADATA_PATH, resourceUrl).href;
}

/** The paths the document is served at: the origin-level one and the RFC 9728 path-inserted one. */
export function metadataPaths(resourceUrl: string): string[] {
  const path = new URL(resourceUrl).pathname.replace(/\/$/, "");
  return path === "" ? [METADATA_PATH] : [METADATA_PATH, METADATA_PATH + path];
}

export function metadataDocument(
  resourceUrl: string,
  issuer: string,
  scope: string,
): Record<string, unknown> {
  return {
    resource: resourceUrl,
    authorization_servers: [issuer],
    scopes_supported: [scope],
    bearer_methods_supported: ["header"],
    resource_name: "code-review-mcp",
  };
}

/** A quoted-string parameter value (RFC 9110): quotes and backslashes escaped, controls dropped. */
function quote(value: string): string {
  // deno-lint-ignore no-control-regex
  return `"${value.replace(/[\x00-\x1f\x7f]/g, "").replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * The WWW-Authenticate value of a refusal.
 *
 * @example bearerChallenge({ resourceMetadata: "https://h/.well-known/oauth-protected-resource" })
 * // 'Bearer resource_metadata="https://h/.well-known/oauth-protected-resource"'
 */
export function bearerChallenge(p: {
  resourceMetadata?: string;
  realm?: string;
  error?: string;
  description?: string;
  scope?: string;
}): string {
  const params: string[] = [];
  if (p.realm !== undefined) params.push(`realm=${quote(p.realm)}`);
  if (p.resourceMetadata !== undefined) {
    params.push(`resource_metadata=${quote(p.resourceMetadata)}`);
  }
  if (p.error !== undefined) params.push(`error=${quote(p.error)}`);
  if (p.description !== undefined) params.push(`error_description=${quote(p.description)}`);
  if (p.scope !== undefined) params.push(`scope=${quote(p.scope)}`);
  return params.length === 0 ? "Bearer" : `Bearer ${params.join(", ")}`;
}
