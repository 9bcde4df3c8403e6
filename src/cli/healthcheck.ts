/**
 * `code-review-mcp healthcheck [--host H] [--port N]`: exit 0 when the HTTP server on
 * this machine answers its health endpoint, 1 otherwise. A FROM-scratch image has no
 * shell or curl, so its HEALTHCHECK runs the server's own binary with this subcommand.
 */
import { parseArgs } from "node:util";
import type { EnvReader } from "../config.ts";

/** The HTTP transport's unauthenticated liveness endpoint. */
export const HEALTH_PATH = "/health";
const TIMEOUT_MS = 3_000;

/**
 * The URL to probe: a wildcard bind address is reached over loopback.
 *
 * @example healthUrl("0.0.0.0", 8000) === "http://127.0.0.1:8000/health"
 */
export function healthUrl(host: string, port: number): string {
  const h = host === "0.0.0.0" ? "127.0.0.1" : host === "::" || host === "[::]" ? "[::1]" : host;
  const bracketed = h.includes(":") && !h.startsWith("[") ? `[${h}]` : h;
  return `http://${bracketed}:${port}${HEALTH_PATH}`;
}

/** Runs the probe; host and port come from flags, then CODE_REVIEW_HOST/PORT, as for the server. */
export async function healthcheckCommand(argv: string[], env: EnvReader): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: { host: { type: "string" }, port: { type: "string" } },
    }).values;
  } catch (err) {
    console.error(`code-review-mcp healthcheck: ${(err as Error).message.replace(/\s+/g, " ")}`);
    return 2;
  }
  const host = values.host ?? (env("CODE_REVIEW_HOST") || "127.0.0.1");
  const portText = values.port ?? (env("CODE_REVIEW_PORT") || "8000");
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
    console.error(
      `code-review-mcp healthcheck: --port: expected an integer from 1 to 65535, got ${
        JSON.stringify(portText)
      }`,
    );
    return 2;
  }
  const url = healthUrl(host, port);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel();
    if (res.ok) {
      console.log(`healthy: ${url} answered ${res.status}`);
      return 0;
    }
    console.error(`unhealthy: ${url} answered ${res.status}`);
  } catch (err) {
    console.error(`unhealthy: ${url}: ${(err as Error).message.replace(/\s+/g, " ")}`);
  }
  return 1;
}
