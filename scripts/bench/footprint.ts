/**
 * What a desktop user pays for keeping the server around: peak memory of a session that
 * never lints Python against the Node SDK baseline's, the same session once the built-in
 * ruff engine has been used, the first ruff answer of a fresh process (the engine's cold
 * load), memory after the engine's idle release; and the start-up of the client entries
 * that `config` prints, through npx and without it (`--no-npx`).
 */
import * as path from "node:path";
import { APP_DIR, serverArgs } from "../../tests/e2e/harness.ts";
import { LINT_FILE, listDir } from "./fixture.ts";
import type { ServerSpec } from "./servers.ts";
import { INITIALIZE_PARAMS, memoryOf, type Spawn, StdioRpc } from "./stdio_client.ts";
import { summarize, type Summary } from "./stats.ts";

/** The idle period given to ours here, so the release can be observed within the run. */
export const FOOTPRINT_RUFF_IDLE_MS = 2_000;

export interface FootprintSample {
  /** VmHWM (KiB) after list_directory up to 10 000 entries, read_file up to 1 MiB, flake8: no ruff. */
  withoutRuffKiB: number;
  /** VmHWM (KiB) after the same, then ruff on Python files (ours only). */
  withRuffKiB?: number;
  /** Time from the first ruff request to its answer, in a fresh process (ours only). */
  firstRuffMs?: number;
  /** VmRSS (KiB) once the engine was released after the idle period (ours only). */
  afterReleaseKiB?: number;
}

const childEnv = (): Record<string, string> => ({
  PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  NO_COLOR: "1",
});

async function call(
  c: StdioRpc,
  id: string,
  params: { name: string; arguments: Record<string, unknown> },
): Promise<number> {
  const t = performance.now();
  const a = await c.request("tools/call", params, 60_000);
  const result = a.msg.result as { isError?: boolean; content?: { text?: string }[] } | undefined;
  if (a.msg.error || !result || result.isError) {
    throw new Error(
      `${id}: ${params.name} failed: ${
        JSON.stringify(a.msg.error ?? result?.content?.[0]?.text ?? a.msg).slice(0, 300)
      }`,
    );
  }
  return a.at - t;
}

/** One fresh process of `spec`: the session without ruff, then (ours) ruff, then the idle release. */
async function session(spec: ServerSpec, root: string, stdio: Spawn): Promise<FootprintSample> {
  const c = new StdioRpc(stdio);
  try {
    const init = await c.request("initialize", INITIALIZE_PARAMS, 30_000);
    if (init.msg.error) throw new Error(`${spec.id}: initialize failed`);
    await c.notify("notifications/initialized");
    await c.request("tools/list", {}, 30_000);
    for (const n of [100, 10000]) {
      const params = spec.ops.listDirectory(n)(root);
      if (params) await call(c, spec.id, params);
    }
    for (const size of ["100k", "1m"] as const) {
      const params = spec.ops.readFile(size)(root);
      if (params) await call(c, spec.id, params);
    }
    const lint = spec.ops.runLinter(root);
    if (lint) await call(c, spec.id, lint);
    const without = memoryOf(c.pid);
    if (!without) throw new Error(`${spec.id}: no /proc memory figures (Linux only)`);
    if (spec.id !== "ours") return { withoutRuffKiB: without.vmHwmKiB };

    const firstRuffMs = await call(c, spec.id, {
      name: "run_linter",
      arguments: { file_path: LINT_FILE, linter: "ruff" },
    });
    for (let i = 0; i < 5; i++) {
      await call(c, spec.id, {
        name: "run_linter",
        arguments: {
          file_path: `${listDir(100)}/entry_${String(i).padStart(5, "0")}.py`,
          linter: "ruff",
        },
      });
    }
    const withRuff = memoryOf(c.pid)!;
    await new Promise((r) => setTimeout(r, FOOTPRINT_RUFF_IDLE_MS + 2_000));
    const released = memoryOf(c.pid)!;
    return {
      withoutRuffKiB: without.vmHwmKiB,
      withRuffKiB: withRuff.vmHwmKiB,
      firstRuffMs,
      afterReleaseKiB: released.vmRssKiB,
    };
  } finally {
    await c.close();
  }
}

export interface FootprintResult {
  ours: FootprintSample[];
  sdk: FootprintSample[];
}

/** `runs` fresh processes of ours and of the Node SDK baseline, alternating. */
export async function measureFootprint(
  ours: ServerSpec,
  sdk: ServerSpec,
  root: string,
  runs: number,
): Promise<FootprintResult> {
  const out: FootprintResult = { ours: [], sdk: [] };
  const oursStdio = ours.stdio(root);
  const withIdle: Spawn = {
    ...oursStdio,
    args: [...oursStdio.args, "--ruff-idle-ms", String(FOOTPRINT_RUFF_IDLE_MS)],
  };
  for (let i = 0; i < runs; i++) {
    out.ours.push(await session(ours, root, withIdle));
    out.sdk.push(await session(sdk, root, sdk.stdio(root)));
  }
  return out;
}

// ---------------------------------------------------------------------------------
// The client entries `config` prints

export interface EntryStart {
  /** The entry exactly as printed (paths replaced by placeholders in the results). */
  entry: { command: string; args: string[] };
  /** Spawn of that command to the initialize result, per run (ms). */
  samples: number[];
  summary: Summary;
}

/** The claude-desktop entry `config` prints for `root`, run the way the README runs the server. */
async function printedEntry(
  root: string,
  extra: string[],
): Promise<{ command: string; args: string[] }> {
  const args = serverArgs(root);
  const main = args.indexOf(path.join(APP_DIR, "main.ts"));
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...args.slice(0, main + 1), "config", "claude-desktop", "--root", root, ...extra],
    cwd: APP_DIR,
    env: childEnv(),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`config failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(new TextDecoder().decode(out.stdout)).mcpServers["code-review"];
}

async function startOnce(entry: { command: string; args: string[] }, cwd: string): Promise<number> {
  const t0 = performance.now();
  const c = new StdioRpc({ cmd: entry.command, args: entry.args, cwd, env: childEnv() });
  try {
    const init = await c.request("initialize", INITIALIZE_PARAMS, 60_000);
    if (init.msg.error) throw new Error(`${entry.command}: initialize failed`);
    return init.at - t0;
  } finally {
    await c.close();
  }
}

/** Each printed entry (`npx` and `--no-npx`) spawned `runs` times, interleaved, from a neutral folder. */
export async function measureEntries(
  root: string,
  runs: number,
  warmups: number,
): Promise<Record<"npx" | "direct", EntryStart>> {
  const entries = {
    npx: await printedEntry(root, []),
    direct: await printedEntry(root, ["--no-npx"]),
  };
  const cwd = path.dirname(root);
  const samples: Record<"npx" | "direct", number[]> = { npx: [], direct: [] };
  for (let i = 0; i < warmups; i++) {
    for (const k of ["npx", "direct"] as const) await startOnce(entries[k], cwd);
  }
  for (let i = 0; i < runs; i++) {
    const order: ("npx" | "direct")[] = i % 2 === 0 ? ["npx", "direct"] : ["direct", "npx"];
    for (const k of order) samples[k].push(await startOnce(entries[k], cwd));
  }
  return {
    npx: { entry: entries.npx, samples: samples.npx, summary: summarize(samples.npx) },
    direct: { entry: entries.direct, samples: samples.direct, summary: summarize(samples.direct) },
  };
}

/** Median of a list of KiB figures, in MiB with one decimal. */
export function medianMiB(kib: number[]): number {
  const s = [...kib].sort((a, b) => a - b);
  const m = s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return Math.round((m / 1024) * 10) / 10;
}
