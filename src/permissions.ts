/**
 * THE one definition of every permission set the server runs under: the `deno run`
 * flags (README, deno.json tasks, tests), the flags baked into compiled binaries, and
 * the worker's narrowed set. Anything that starts the server gets its flags from here,
 * so the layers cannot drift apart.
 */
import { envVarsOf } from "./options.ts";

/** Environment variables the server reads; `--allow-env` names exactly these (from the option table). */
export const ENV_VARS: readonly string[] = Object.freeze(envVarsOf("core"));

/**
 * Variables only the HTTP transport reads; the HTTP flags add them to `--allow-env`,
 * so a stdio process cannot read API keys it has no use for.
 */
export const HTTP_ENV_VARS: readonly string[] = Object.freeze(envVarsOf("http"));

/** Binaries a subprocess linter may start; `--allow-run` names exactly these. */
export const LINTER_BINARIES = ["flake8", "pylint", "shellcheck", "ruff", "deno"] as const;

/**
 * V8's young generation capped at 1 MiB per semi-space (the default grows to 16 MiB in each
 * isolate: main thread, sandbox worker, ruff worker). Measured on this project: a stdio session
 * peaks 19 MiB lower (124 -> 105 MiB), an HTTP load run 60 MiB lower (290 -> 230 MiB), with no
 * loss of HTTP throughput beyond run-to-run noise. Not a permission; baked into binaries too.
 * WebAssembly (the built-in ruff, tree-sitter) runs on V8's baseline compiler only
 * (--liftoff-only): optimizing ruff's 11 MB module took 7-14 s of the first project lint and
 * 250 MiB more at its peak; Liftoff code costs about 60 MiB and starts at once, and two
 * engine workers make up its slower steady state (docs/project_lint_speed.md has the measurements).
 */
export const V8_FLAGS = "--v8-flags=--max-semi-space-size=1,--liftoff-only";

/** The only network destination in production: host and port (a host without a port allows every port). */
export const GITHUB_NET = "raw.githubusercontent.com:443";

/** What an HTTP deployment adds: the address it listens on, and what auth reads or fetches. */
export interface HttpPermissionOptions {
  host: string;
  port: number;
  /** The issuer's JWKS URL: its host:port joins --allow-net. */
  jwksUrl?: string;
  /** The API keys file: it joins --allow-read. */
  apiKeysFile?: string;
  /** Shared state's Redis URL: its host:port joins --allow-net. */
  redisUrl?: string;
  /** The Redis password file: it joins --allow-read. */
  redisPasswordFile?: string;
}

export interface RunFlagsOptions {
  /** Paths the process may read: the project root, and the app's source when it lies outside the root. */
  read: readonly string[];
  /** host:port the process may connect to. */
  net?: string;
  /** Present for `--transport http`. */
  http?: HttpPermissionOptions;
}

/**
 * The --allow-net entry for listening on host:port (IPv6 literals bracketed).
 *
 * @example listenNet("0.0.0.0", 8000) // "0.0.0.0:8000"
 */
export function listenNet(host: string, port: number): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${h}:${port}`;
}

/**
 * The --allow-net entry for fetching a URL: host and explicit port, since a host
 * without a port would allow every port.
 *
 * @example urlNet("https://auth.example.com/jwks") // "auth.example.com:443"
 */
export function urlNet(url: string): string {
  const u = new URL(url);
  const port = u.port !== ""
    ? u.port
    : u.protocol === "https:"
    ? "443"
    : u.protocol === "redis:" || u.protocol === "rediss:"
    ? "6379"
    : "80";
  return `${u.hostname}:${port}`;
}

/**
 * Where the container image and compiled binaries may find Redis without naming it at
 * build time: the Kubernetes Service of deploy/kubernetes/redis.yaml (loopback is allowed
 * on every port already). Any other Redis needs `deno run` with its host in --allow-net.
 */
export const REDIS_SERVICE_NET = "code-review-mcp-redis:6379";

/**
 * The `deno run` permission flags, in a fixed order. With `http`, the same set plus
 * the listen address, the JWKS host, the API keys file and the HTTP variables.
 *
 * `--quiet` keeps Deno's own notices off stderr, which carries JSON lines only: above all
 * "Failed to resolve 'ruff' for allow-run", printed at start wherever an allowlisted linter is
 * not installed (most machines lack the native ruff), and npm download progress on a first run.
 *
 * @example denoRunFlags({ read: ["."] })
 * // ["--quiet", "--v8-flags=--max-semi-space-size=1,--liftoff-only", "--no-prompt", "--unstable-worker-options", "--allow-read=.",
 * //  "--allow-net=raw.githubusercontent.com:443", "--allow-run=flake8,...", "--allow-env=CODE_REVIEW_ROOT,..."]
 */
export function denoRunFlags(options: RunFlagsOptions): string[] {
  const http = options.http;
  const read = [
    ...options.read,
    ...(http?.apiKeysFile !== undefined ? [http.apiKeysFile] : []),
    ...(http?.redisPasswordFile !== undefined ? [http.redisPasswordFile] : []),
  ];
  const net = [
    options.net ?? GITHUB_NET,
    ...(http ? [listenNet(http.host, http.port)] : []),
    ...(http?.jwksUrl !== undefined ? [urlNet(http.jwksUrl)] : []),
    ...(http?.redisUrl !== undefined ? [urlNet(http.redisUrl)] : []),
  ];
  if (options.read.length === 0) {
    throw new Error("denoRunFlags: at least one read path is required");
  }
  for (const p of read) {
    if (p.includes(",")) throw new Error(`denoRunFlags: a read path cannot contain a comma: ${p}`);
  }
  return [
    "--quiet",
    V8_FLAGS,
    "--no-prompt",
    "--unstable-worker-options",
    `--allow-read=${read.join(",")}`,
    `--allow-net=${[...new Set(net)].join(",")}`,
    `--allow-run=${LINTER_BINARIES.join(",")}`,
    `--allow-env=${[...ENV_VARS, ...(http ? HTTP_ENV_VARS : [])].join(",")}`,
  ];
}

/**
 * Addresses a compiled binary may listen on (every port): loopback and the wildcards a
 * container binds. Ports are left open because the port is chosen at run time.
 */
export const LISTEN_HOSTS = ["127.0.0.1", "localhost", "[::1]", "0.0.0.0", "[::]"] as const;

/**
 * The permission flags `deno compile` bakes into a standalone binary, in a fixed order.
 * The project root is unknown at compile time, so read is not scoped here: the sandbox
 * worker, narrowed at start-up to the root's real path, is what confines every read, and
 * the binary refuses to start without an explicit root (see src/cli/root_guard.ts).
 * No flag names a relative path, so nothing depends on the folder the binary starts in.
 * A binary may serve HTTP (the HTTP variables are readable), but cannot fetch a JWKS: its
 * host is unknown at compile time, so JWT auth needs `deno run`; API keys work.
 *
 * @example denoCompileFlags()
 * // ["--no-prompt", "--unstable-worker-options", "--allow-read",
 * //  "--allow-net=raw.githubusercontent.com:443,127.0.0.1,localhost,[::1],0.0.0.0,[::]", "--allow-run=...", "--allow-env=..."]
 */
export function denoCompileFlags(): string[] {
  return [
    "--quiet",
    V8_FLAGS,
    "--no-prompt",
    "--unstable-worker-options",
    "--allow-read",
    `--allow-net=${[GITHUB_NET, ...LISTEN_HOSTS, REDIS_SERVICE_NET].join(",")}`,
    `--allow-run=${LINTER_BINARIES.join(",")}`,
    `--allow-env=${[...ENV_VARS, ...HTTP_ENV_VARS].join(",")}`,
  ];
}

/**
 * The flags of `deno task start` (and `start:http`), which takes its root on the command line
 * after the flags were written: read is not scoped, as in a compiled binary, and the sandbox
 * worker, narrowed at start to the root's real path, confines every read; the rest is the
 * `deno run` set. The task names the root itself (CODE_REVIEW_ROOT=., the checkout, unless
 * --root says otherwise), so the root guard's rule holds: an unscoped read always has a named root.
 */
export function denoTaskFlags(http?: { host: string; port: number }): string[] {
  return denoRunFlags({ read: ["."], ...(http ? { http } : {}) }).map((
    f,
  ) => (f.startsWith("--allow-read=") ? "--allow-read" : f));
}

/** The deno.json tasks that start the server: stdio, and HTTP on 127.0.0.1:8000. */
export function startTasks(): { start: string; "start:http": string } {
  return {
    start: `CODE_REVIEW_ROOT=. deno run ${denoTaskFlags().join(" ")} main.ts`,
    "start:http": `CODE_REVIEW_ROOT=. deno run ${
      denoTaskFlags({ host: "127.0.0.1", port: 8000 }).join(" ")
    } main.ts --transport http`,
  };
}

/** Where the container image keeps the project (mounted read-only) and the app, and its port. */
export const CONTAINER = { root: "/workspace", app: "/app", port: 8000 } as const;

/**
 * The permission flags of the image that runs main.ts under deno (where no runtime could
 * compile a binary): the mounted project and the app's modules, GitHub, and the HTTP port
 * on the wildcard address it serves and the loopback address its health check probes.
 */
export function denoContainerFlags(): string[] {
  return denoRunFlags({
    read: [CONTAINER.root, `${CONTAINER.app}/src`],
    net: `${GITHUB_NET},${listenNet("127.0.0.1", CONTAINER.port)},${REDIS_SERVICE_NET}`,
    http: { host: "0.0.0.0", port: CONTAINER.port },
  });
}

export interface WorkerPermissionOptions {
  /** The real path of the project root. */
  root: string;
  /** Directories holding the worker's own modules (needed outside a compiled binary). */
  moduleDirs: readonly string[];
  /** host:port the worker may connect to; none when undefined. */
  net: string | undefined;
  /** Linter binaries the worker may start (names as given to --allow-run). */
  run: readonly string[];
}

/**
 * The worker's permissions: a subset of the process's, narrowed to the project root.
 * No env (the main thread hands over what the worker needs), no write, no ffi, no sys.
 */
export function workerPermissions(o: WorkerPermissionOptions): Deno.PermissionOptionsObject {
  return {
    read: [o.root, ...o.moduleDirs],
    write: false,
    net: o.net !== undefined ? [o.net] : false,
    run: o.run.length > 0 ? [...o.run] : false,
    env: false,
    ffi: false,
    sys: false,
    import: false,
  };
}
