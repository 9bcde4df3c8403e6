/**
 * Starts the real server the way the README says (its exact `deno run` command,
 * with the placeholders filled in) and connects the official SDK client over stdio.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { spawnClient, type Spawned } from "./spawn_client.ts";

/** The checkout's real path. */
export const APP_DIR = path.resolve(fileURLToPath(new URL("../../", import.meta.url))); // "C:\\..." on Windows
const FIXTURE = path.join(APP_DIR, "tests/fixtures/project");

export const PROJECT_PLACEHOLDER = "/path/to/project";
export const APP_PLACEHOLDER = "/path/to/code-review-mcp";

/** The words of the README's `deno run` command (the block after the deno-run-command marker). */
export function readmeCommand(): string[] {
  return readmeBlock("deno-run-command");
}

/** The words of the one-line sh block after `<!-- marker -->` in the README (or a file of docs/). */
export function readmeBlock(marker: string, file = "README.md"): string[] {
  const readme = Deno.readTextFileSync(path.join(APP_DIR, file));
  const m = readme.match(new RegExp(`<!-- ${marker} -->\\s*\`\`\`sh\\n([^\\n]+)\\n\`\`\``));
  if (!m) throw new Error(`${file} has no ${marker} block`);
  return m[1]!.trim().split(/\s+/);
}

export interface ServerOptions {
  /** Loopback host:port of a fake raw GitHub server, replacing the real host in the flags. */
  fakeGitHub?: { base: string; net: string };
  env?: Record<string, string>;
  extraArgs?: string[];
  /** Use these arguments instead of the README's (for tests that remove a permission). */
  argsOverride?: string[];
}

/** The argv after `deno`, from the README's command, for a project at `root`. */
export function serverArgs(root: string, opts: ServerOptions = {}): string[] {
  const words = readmeCommand();
  const runAt = words.indexOf("run");
  if (words[0] !== "npx" || runAt < 0) {
    throw new Error(`unexpected README command: ${words.join(" ")}`);
  }
  let args = words.slice(runAt).map((w) =>
    w.replaceAll(PROJECT_PLACEHOLDER, root).replaceAll(APP_PLACEHOLDER, APP_DIR)
  );
  if (opts.fakeGitHub) {
    args = args.map((
      w,
    ) => (w === "--allow-net=raw.githubusercontent.com:443"
      ? `--allow-net=${opts.fakeGitHub!.net}`
      : w)
    );
    args.push("--github-raw-base", opts.fakeGitHub.base);
  }
  return [...args, ...(opts.extraArgs ?? [])];
}

/** A fresh copy of tests/fixtures/project in a temporary folder; returns its real path. */
export async function makeProject(): Promise<{ root: string; cleanup(): Promise<void> }> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-e2e-" }));
  const root = path.join(base, "project");
  await copyDir(FIXTURE, root);
  return { root, cleanup: () => Deno.remove(base, { recursive: true }) };
}

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory) await copyDir(src, dst);
    else if (e.isFile) await Deno.copyFile(src, dst);
  }
}

/** A client connected to a started server: see spawn_client.ts. */
export type Connected = Spawned;

/** Starts the server on `root` and connects the SDK client. */
export function connect(root: string, opts: ServerOptions = {}): Promise<Connected> {
  return spawnClient({
    command: Deno.execPath(),
    args: opts.argsOverride
      ? [...opts.argsOverride, ...(opts.extraArgs ?? [])]
      : serverArgs(root, opts),
    cwd: APP_DIR,
    ...(opts.env ? { env: opts.env } : {}),
  });
}
