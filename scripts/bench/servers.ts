/**
 * The servers under test and how each is started: ours with the README's exact
 * `deno run` flags (through the e2e harness), the official filesystem server, the
 * Node SDK baseline and the hand-written floor, installed by npm into bench/tmp/.
 */
import * as path from "node:path";
import { APP_DIR, serverArgs } from "../../tests/e2e/harness.ts";
import { httpServerArgs } from "../../tests/e2e/http_harness.ts";
import { type FileSize, LINT_FILE, listDir, textFile } from "./fixture.ts";
import type { Spawn } from "./stdio_client.ts";
import { MAX_MAX_OUTPUT_BYTES } from "../../src/output/budget.ts";

export const SERVER_IDS = ["ours", "filesystem", "sdk", "floor"] as const;
export type ServerId = typeof SERVER_IDS[number];
export const BASELINE_IDS = ["filesystem", "sdk", "floor"] as const;

export const SERVER_LABELS: Record<ServerId, string> = {
  ours: "code-review-mcp (Deno)",
  filesystem: "official filesystem server (Node)",
  sdk: "Node SDK baseline",
  floor: "floor: no SDK (Node)",
};

export const BASELINES_DIR = path.join(APP_DIR, "bench/baselines");
export const TMP_DIR = path.join(APP_DIR, "bench/tmp");
const INSTALL_DIR = path.join(TMP_DIR, "baselines");

/** A tool call a server can make, or undefined when it has no such tool. */
type CallFor = (root: string) => { name: string; arguments: Record<string, unknown> } | undefined;

export interface Operations {
  listDirectory: (n: number) => CallFor;
  readFile: (size: FileSize) => CallFor;
  runLinter: CallFor;
}

export interface ServerSpec {
  id: ServerId;
  stdio(root: string): Spawn;
  /** The stateless HTTP variant on `port`, or undefined when the server has none. */
  http?(root: string, port: number): Spawn & { url: string };
  ops: Operations;
}

const childEnv = (): Record<string, string> => ({
  PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  NO_COLOR: "1",
});

const none: CallFor = () => undefined;

/** Per-minute rate limit given to ours under load: the maximum, or the load would measure 429s. */
const RATE_LIMIT_MAX = 1_000_000;

/**
 * Ours answers whole files up to 1 MiB like the baselines do, so the answer budget is raised to
 * its maximum (the default, 80 KB, would page the 100 KiB and 1 MiB reads).
 */
const BUDGET_ARGS = ["--max-output-bytes", String(MAX_MAX_OUTPUT_BYTES)];

/**
 * Ours: over stdio the README's command with its placeholders filled in; over HTTP the
 * e2e harness's command (the permission module's HTTP flags, as the README's HTTP command
 * shows them, with the listen port moved to a free one). Stateless and SSE: the defaults.
 * The rate limiter still runs on every request, with limits it never reaches.
 */
export const oursSpec: ServerSpec = {
  id: "ours",
  stdio: (root) => ({
    cmd: Deno.execPath(),
    args: serverArgs(root, { extraArgs: BUDGET_ARGS }),
    cwd: APP_DIR,
    env: childEnv(),
  }),
  http: (root, port) => ({
    cmd: Deno.execPath(),
    args: httpServerArgs(root, port, {
      extraArgs: [
        "--rate-limits",
        `client=${RATE_LIMIT_MAX},tool=${RATE_LIMIT_MAX}`,
        ...BUDGET_ARGS,
      ],
    }),
    cwd: APP_DIR,
    env: childEnv(),
    url: `http://127.0.0.1:${port}/mcp`,
  }),
  ops: {
    listDirectory: (n) => () => ({ name: "list_directory", arguments: { dir_path: listDir(n) } }),
    readFile: (size) => () => ({ name: "read_file", arguments: { file_path: textFile(size) } }),
    runLinter: () => ({
      name: "run_linter",
      arguments: { file_path: LINT_FILE, linter: "flake8" },
    }),
  },
};

const node = (script: string, args: string[]): Spawn => ({
  cmd: "node",
  args: [path.join(INSTALL_DIR, script), ...args],
  cwd: INSTALL_DIR,
  env: childEnv(),
});

export const filesystemSpec: ServerSpec = {
  id: "filesystem",
  stdio: (root) =>
    node("node_modules/@modelcontextprotocol/server-filesystem/dist/index.js", [root]),
  ops: {
    listDirectory: (n) => (root) => ({
      name: "list_directory",
      arguments: { path: path.join(root, listDir(n)) },
    }),
    readFile: (size) => (root) => ({
      name: "read_text_file",
      arguments: { path: path.join(root, textFile(size)) },
    }),
    runLinter: none,
  },
};

export const sdkSpec: ServerSpec = {
  id: "sdk",
  stdio: (root) => node("sdk_server.mjs", [root]),
  http: (root, port) => ({
    ...node("sdk_server.mjs", [root, "--http", String(port)]),
    url: `http://127.0.0.1:${port}/mcp`,
  }),
  ops: {
    listDirectory: (n) => () => ({ name: "list_directory", arguments: { dir_path: listDir(n) } }),
    readFile: () => none,
    runLinter: none,
  },
};

export const floorSpec: ServerSpec = {
  id: "floor",
  stdio: (root) => node("floor_server.mjs", [root]),
  http: (root, port) => ({
    ...node("floor_server.mjs", [root, "--http", String(port)]),
    url: `http://127.0.0.1:${port}/mcp`,
  }),
  ops: {
    listDirectory: (n) => () => ({ name: "list_directory", arguments: { dir_path: listDir(n) } }),
    readFile: (size) => () => ({ name: "read_file", arguments: { file_path: textFile(size) } }),
    runLinter: () => ({ name: "run_linter", arguments: { file_path: LINT_FILE } }),
  },
};

async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed (${out.code}):\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return text;
}

/**
 * Installs the baselines with `npm ci` from the committed lock file into
 * bench/tmp/baselines (skipped when the lock file has not changed), and copies our
 * baseline sources beside node_modules so Node resolves the SDK from there.
 */
export async function installBaselines(log: (s: string) => void): Promise<void> {
  await Deno.mkdir(INSTALL_DIR, { recursive: true });
  const lock = await Deno.readTextFile(path.join(BASELINES_DIR, "package-lock.json"));
  const stampPath = path.join(INSTALL_DIR, ".installed-lock");
  let stamp = "";
  try {
    stamp = await Deno.readTextFile(stampPath);
  } catch {
    // first install
  }
  for (
    const f of [
      "package.json",
      "package-lock.json",
      "list_dir.mjs",
      "floor_server.mjs",
      "sdk_server.mjs",
      "sdk_v2_server.mjs",
    ]
  ) {
    await Deno.copyFile(path.join(BASELINES_DIR, f), path.join(INSTALL_DIR, f));
  }
  if (stamp !== lock) {
    log("installing the baselines with npm ci (pinned by bench/baselines/package-lock.json)...");
    await run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], INSTALL_DIR);
    await Deno.writeTextFile(stampPath, lock);
  }
}

/** Versions of what was installed, for the results. */
export async function baselineVersions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (
    const pkg of [
      "@modelcontextprotocol/server-filesystem",
      "@modelcontextprotocol/sdk",
      "@modelcontextprotocol/server",
      "zod",
    ]
  ) {
    const meta = JSON.parse(
      await Deno.readTextFile(path.join(INSTALL_DIR, "node_modules", pkg, "package.json")),
    );
    out[pkg] = meta.version;
  }
  return out;
}

export { run as runCommand };
