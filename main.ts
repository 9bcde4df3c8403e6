/**
 * code-review-mcp: parse flags, load config, start the stdio or HTTP server.
 * A bad flag or environment value is one line on stderr and exit code 2.
 */
import { type Config, denoEnvReader, parseConfigArgs, resolveRoot, USAGE } from "./src/config.ts";
import { log, setupLogging } from "./src/observability/log.ts";
import { SandboxClient } from "./src/sandbox/client.ts";
import { LINTER_BINARIES } from "./src/permissions.ts";
import { GitHubRawClient } from "./src/github/raw_client.ts";
import { createServer } from "./src/server.ts";
import { serveStdio } from "./src/transports/stdio.ts";
import { SERVER_NAME, VERSION } from "./src/version.ts";
import { LIMITS } from "./src/config.ts";
import { runSubcommand, versionLine } from "./src/cli/subcommands.ts";
import { rootGuard } from "./src/cli/root_guard.ts";

/** How long after the first answer the sandbox worker starts: long enough for the client's next request (tools/list). */
const WORKER_START_DELAY_MS = 100;

function die(message: string): never {
  console.error(`${SERVER_NAME}: ${message}`);
  Deno.exit(2);
}

function currentDir(): string {
  try {
    return Deno.cwd();
  } catch {
    return ".";
  }
}

async function main(argv: string[]): Promise<void> {
  const subcommandExit = await runSubcommand(argv, currentDir());
  if (subcommandExit !== undefined) Deno.exit(subcommandExit);
  const parsed = parseConfigArgs(argv, denoEnvReader, currentDir());
  if (!parsed.ok) die(parsed.reason);
  if (parsed.value.help) {
    console.log(USAGE);
    return;
  }
  if (parsed.value.version) {
    console.log(versionLine());
    return;
  }
  const mustNameRoot = rootGuard(argv, denoEnvReader);
  if (mustNameRoot) die(mustNameRoot);
  const root = await resolveRoot(parsed.value.config.rootArg);
  if (!root.ok) die(root.reason);
  const config: Config = Object.freeze({ ...parsed.value.config, root: root.value });
  await setupLogging(config.logLevel);
  const logger = log("main");

  const sandbox = new SandboxClient({
    root: config.root,
    net: config.githubNet,
    run: [...LINTER_BINARIES],
    allowHardLinks: config.allowHardLinks,
    ruffIdleMs: config.ruffIdleMs,
  });
  const github = new GitHubRawClient({
    fetchRaw: (req, signal) => sandbox.fetchRaw(req, signal),
    base: config.githubRawBase,
    ...(config.githubToken ? { token: config.githubToken } : {}),
    maxBytes: LIMITS.fetchMaxBytes,
    timeoutMs: config.fetchTimeoutMs,
  });
  logger.info("starting", {
    name: SERVER_NAME,
    version: VERSION,
    root: config.root,
    transport: config.transport,
    linters: config.linters.join(","),
  });
  if (config.transport === "stdio") {
    // The sandbox worker (some 20 ms of main-thread work to create) starts shortly after the first
    // answer (initialize, server/discover, or a 2026 client's first call), never on the path to
    // it; a tool call before then starts it itself. The ruff engine (over 100 MiB) loads only on
    // the first Python lint, in a worker of its own.
    const afterFirstAnswer = () => sandbox.start();
    serveStdio(
      () => createServer({ config, sandbox, github }),
      () => sandbox.close(),
      () => void setTimeout(afterFirstAnswer, WORKER_START_DELAY_MS),
    );
  } else if (config.transport === "http") {
    // HTTP, auth, metrics and rate limiting (a third of start-up) are loaded only for HTTP.
    const { serveHttp } = await import("./src/transports/http.ts");
    const failed = await serveHttp(config, { sandbox, github });
    if (failed !== undefined) die(failed);
  }
}

if (import.meta.main) await main(Deno.args);
