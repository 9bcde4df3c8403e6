/**
 * `--transport http`: serves the HTTP app (http_listener.ts: node:http, which bounds slow
 * and idle connections) on the configured address,
 * after checking that the process holds the HTTP permissions (README's HTTP command),
 * and shuts down gracefully on SIGTERM/SIGINT: stop accepting, let calls in flight
 * finish within --shutdown-timeout-ms, abort the rest, exit 0.
 */
import type { Config } from "../config.ts";
import type { SandboxClient } from "../sandbox/client.ts";
import type { GitHubRawClient } from "../github/raw_client.ts";
import { HTTP_ENV_VARS, listenNet, urlNet } from "../permissions.ts";
import { bracketHost } from "../config_http.ts";
import { closeLogs, log } from "../observability/log.ts";
import { apiKeyAuthenticator, loadApiKeys } from "../auth/api_keys.ts";
import { jwtAuthenticator } from "../auth/jwt.ts";
import type { Authenticator } from "../auth/types.ts";
import { createHttpApp, type HttpApp, MCP_PATH } from "./http_app.ts";
import type { HttpListener } from "./http_listener.ts";
import { connectSharedState, MEMORY_STATE, type SharedState } from "../state/shared.ts";
import { fail, ok, type Result } from "../result.ts";

export interface HttpDeps {
  sandbox: SandboxClient;
  github: GitHubRawClient;
}

/** The HTTP variables must be readable, or settings would silently fall back to defaults. */
function checkPermissions(config: Config): string | undefined {
  const missing = HTTP_ENV_VARS.filter((v) =>
    Deno.permissions.querySync({ name: "env", variable: v }).state !== "granted"
  );
  if (missing.length > 0) {
    return `--transport http: Deno may not read ${
      missing.join(", ")
    }: start it with the HTTP permission flags (README, "Serving over HTTP")`;
  }
  const redisUrl = config.http.redisUrl;
  if (redisUrl !== undefined) {
    const net = urlNet(redisUrl);
    if (Deno.permissions.querySync({ name: "net", host: net }).state !== "granted") {
      return `--redis-url: Deno may not connect to ${net}: add it to --allow-net`;
    }
  }
  const auth = config.http.auth;
  if (auth.mode === "jwt") {
    const net = urlNet(auth.jwksUrl);
    const [hostname, port] = [
      net.slice(0, net.lastIndexOf(":")),
      net.slice(net.lastIndexOf(":") + 1),
    ];
    if (
      Deno.permissions.querySync({ name: "net", host: `${hostname}:${port}` }).state !== "granted"
    ) {
      return `--jwks-url: Deno may not connect to ${net}: add it to --allow-net`;
    }
  }
  return undefined;
}

async function authenticatorFor(config: Config): Promise<Result<Authenticator | undefined>> {
  const { auth, resourceUrl } = config.http;
  switch (auth.mode) {
    case "none":
      return ok(undefined);
    case "jwt":
      // parseHttpConfig refuses JWT mode without a resource URL; a Config built elsewhere may not.
      if (resourceUrl === undefined) return fail("--resource-url: JWT mode needs it");
      return ok(jwtAuthenticator({
        jwksUrl: auth.jwksUrl,
        issuer: auth.issuer,
        audience: resourceUrl,
        requiredScope: auth.requiredScope,
      }));
    case "api-key": {
      const keys = await loadApiKeys(auth.keys, auth.keysFile);
      return keys.ok ? ok(apiKeyAuthenticator(keys.value)) : keys;
    }
  }
}

/** Redis for shared limits when --redis-url is set (connecting in the background), else memory. */
async function sharedStateFor(config: Config): Promise<SharedState | string> {
  const { redisUrl, redisPasswordFile } = config.http;
  if (redisUrl === undefined) return MEMORY_STATE;
  let password: string | undefined;
  if (redisPasswordFile !== undefined) {
    try {
      password = (await Deno.readTextFile(redisPasswordFile)).trim();
    } catch (err) {
      return `--redis-password-file: cannot read it (${err instanceof Error ? err.name : "error"})`;
    }
  }
  return connectSharedState({ url: redisUrl, ...(password !== undefined ? { password } : {}) });
}

function sleep(ms: number): { done: Promise<void>; cancel(): void } {
  let id: ReturnType<typeof setTimeout> | undefined;
  const done = new Promise<void>((resolve) => (id = setTimeout(resolve, ms)));
  return { done, cancel: () => clearTimeout(id) };
}

/**
 * Serves until a signal ends the process. Returns a one-line error (exit code 2) when
 * it cannot start: missing permissions, an unreadable API keys file, a busy port.
 */
export async function serveHttp(config: Config, deps: HttpDeps): Promise<string | undefined> {
  const logger = log("http");
  const problem = checkPermissions(config);
  if (problem !== undefined) return problem;
  const authenticator = await authenticatorFor(config);
  if (!authenticator.ok) return authenticator.reason;
  const shared = await sharedStateFor(config);
  if (typeof shared === "string") return shared;

  const app = createHttpApp({
    config,
    sandbox: deps.sandbox,
    github: deps.github,
    shared,
    ...(authenticator.value ? { authenticator: authenticator.value } : {}),
  });
  // node:http loads only here: a stdio start never pays for it.
  const { listen, ListenError } = await import("./http_listener.ts");
  let server: HttpListener;
  try {
    server = await listen((req, remoteAddr) => app.handler(req, remoteAddr), {
      hostname: config.host,
      port: config.port,
      // The adapter's own failures only: the client's bytes never reach an error-level line.
      onError: (what, err) =>
        logger.error("HTTP adapter failure", {
          what,
          error: err instanceof Error ? err.name : "unknown",
        }),
      onConnectionRefused: ({ status, reason, remoteAddr }) => {
        app.metrics.recordHttp("other", "other", status, 0);
        logger.info("http connection refused", { status, reason, remote: remoteAddr });
      },
    });
  } catch (err) {
    if (!(err instanceof ListenError)) throw err;
    if (err.kind === "permission") {
      return `--port: Deno may not listen on ${
        listenNet(config.host, config.port)
      }: add it to --allow-net`;
    }
    if (err.kind === "in-use") {
      return `--port: ${listenNet(config.host, config.port)} is already in use`;
    }
    return `--host: ${err.message}`;
  }
  logger.info("listening", {
    url: `http://${bracketHost(config.host)}:${config.port}${MCP_PATH}`,
    mode: config.http.stateful ? "stateful" : "stateless",
    responseMode: config.http.responseMode,
    auth: config.http.auth.mode,
    sharedState: config.http.redisUrl !== undefined ? "redis" : "memory",
  });
  // Ready once the sandbox worker answers (ready() never rejects): no client message is awaited
  // (a 2026 client sends no `initialized`), and the ruff engine loads on first use.
  void deps.sandbox.ready().then(() => app.markReady());

  const stopped = Promise.withResolvers<void>();
  let closing = false;
  const stop = (why: string) => {
    if (closing) return;
    closing = true;
    void shutdown(why, server, app, deps.sandbox, config.http.shutdownTimeoutMs)
      .finally(() => shared.close())
      .finally(() => stopped.resolve());
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(sig, () => stop(sig));
    } catch {
      // SIGTERM is not supported on Windows; SIGINT still is.
    }
  }
  await stopped.promise;
  await closeLogs();
  Deno.exit(0);
}

/**
 * Stop accepting, end idle streams, wait for calls in flight up to the bound, cancel
 * the rest (they answer "Cancelled"), then close everything.
 */
export async function shutdown(
  why: string,
  server: HttpListener,
  app: HttpApp,
  sandbox: SandboxClient,
  boundMs: number,
): Promise<void> {
  const logger = log("http");
  logger.info("shutting down", { why, inflight: app.endpoint.inflight(), boundMs });
  app.drain();
  const serverDone = server.shutdown();
  app.endpoint.closeStreams();
  const bound = sleep(boundMs);
  const finished = await Promise.race([
    app.endpoint.idle().then(() => true),
    bound.done.then(() => false),
  ]);
  bound.cancel();
  if (!finished) {
    logger.warning("shutdown bound reached: cancelling calls in flight", {
      inflight: app.endpoint.inflight(),
    });
    // Cancelled calls still answer their clients; then whatever is left is closed.
    app.cancelCalls();
    const answered = sleep(1000);
    await Promise.race([app.endpoint.idle(), answered.done]);
    answered.cancel();
  }
  await app.endpoint.closeAll();
  const grace = sleep(1000);
  await Promise.race([serverDone, grace.done]);
  grace.cancel();
  server.closeAll();
  sandbox.close();
  logger.info("stopped", { why });
}
