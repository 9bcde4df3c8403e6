/**
 * Static API keys for teams behind a gateway: `Authorization: Bearer <key>`, compared
 * as SHA-256 digests in constant time against every configured key, so neither the
 * match nor its position shows in the timing. The subject is the key's name.
 */
import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";
import { type ApiKeyDigest, parseApiKeys, sha256Hex } from "../config_http.ts";
import type { Authenticator, AuthOutcome } from "./types.ts";
import { ok, type Result } from "../result.ts";

/** Adds the keys of a "name:key" file (one a line, # comments) to those from the environment. */
export async function loadApiKeys(
  fromEnv: readonly ApiKeyDigest[],
  file: string | undefined,
): Promise<Result<ApiKeyDigest[]>> {
  const keys = [...fromEnv];
  if (file === undefined) return ok(keys);
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "does not exist"
      : (err as Error).message.replace(/\s+/g, " ");
    return { ok: false, reason: `--api-keys-file: cannot read ${JSON.stringify(file)}: ${why}` };
  }
  const parsed = parseApiKeys(text, `--api-keys-file ${file}`, /\n/);
  if (!parsed.ok) return parsed;
  for (const k of parsed.value) {
    if (keys.some((e) => e.name === k.name)) {
      return {
        ok: false,
        reason: `--api-keys-file: the name ${k.name} is also in CODE_REVIEW_API_KEYS`,
      };
    }
    keys.push(k);
  }
  if (keys.length === 0) {
    return { ok: false, reason: `--api-keys-file: no keys in ${JSON.stringify(file)}` };
  }
  return ok(keys);
}

/**
 * True when `presented` hashes to `expectedSha256`, in time independent of where they differ.
 *
 * @example digestMatches("wrong", sha256Hex("right")) // false
 */
export function digestMatches(presented: string, expectedSha256: string): boolean {
  const a = Buffer.from(sha256Hex(presented), "hex");
  const b = Buffer.from(expectedSha256, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

export function apiKeyAuthenticator(keys: readonly ApiKeyDigest[]): Authenticator {
  const digests = keys.map((k) => ({ name: k.name, digest: Buffer.from(k.sha256, "hex") }));
  return {
    authenticate(token: string): Promise<AuthOutcome> {
      const presented = Buffer.from(sha256Hex(token), "hex");
      let match: string | undefined;
      // No early exit: every key is compared whatever the outcome.
      for (const k of digests) {
        if (timingSafeEqual(presented, k.digest) && match === undefined) match = k.name;
      }
      if (match === undefined) {
        return Promise.resolve({
          ok: false,
          reason: "unknown_key",
          code: "invalid_token",
          description: "unknown API key",
        });
      }
      return Promise.resolve({
        ok: true,
        value: { subject: match, clientId: match, scopes: [], method: "api-key" },
      });
    },
  };
}
