/**
 * Does a git call's cost follow the change or the history? Two generated repositories with the
 * same 2,100 files and the same 10-file working-tree edit, one with a tenth of the other's
 * commits (scripts/bench/fixture.ts makeHistoryRepo), each served by its own server; the same
 * calls are made on both, interleaved, warm, and the ratio long / short of their medians is
 * reported (issue 18: "a repository with 10× the history and the same change costs about the
 * same, warm"), with each server's peak memory.
 * Run alone with `deno run -A scripts/bench/git_scaling.ts [--quick]`, or as part of `deno task bench`.
 */
import { APP_DIR, serverArgs } from "../../tests/e2e/harness.ts";
import { INITIALIZE_PARAMS, memoryOf, StdioRpc } from "./stdio_client.ts";
import { HISTORY, makeHistoryRepo } from "./fixture.ts";
import { summarize, type Summary } from "./stats.ts";
import { packedBytes, timeTool } from "./git_review.ts";

/** The short history has this share of the long one's commits. */
export const SCALE = 10;
/** "About the same": the long history's warm median within this factor of the short one's. */
export const SCALING_GOAL = 1.5;

export interface ScalingRow {
  ours: string;
  short: Summary;
  long: Summary;
  /** long / short, by medians. */
  ratio: number;
}

export interface GitScalingResult {
  commits: { short: number; long: number };
  packMiB: { short: number; long: number };
  rounds: number;
  rows: ScalingRow[];
  /** Each server's peak resident memory (VmHWM) after every call, MiB. */
  peakMiB: { short: number | null; long: number | null };
  generateMs: number;
}

const CALLS: Array<{ ours: string; tool: string; args: Record<string, unknown> }> = [
  { ours: "review_changes (linters off)", tool: "review_changes", args: {} },
  { ours: "get_diff", tool: "get_diff", args: {} },
  { ours: "review_changes base=HEAD~5", tool: "review_changes", args: { base: "HEAD~5" } },
  { ours: "get_diff base=HEAD~5", tool: "get_diff", args: { base: "HEAD~5" } },
];

async function call(c: StdioRpc, tool: string, args: Record<string, unknown>): Promise<number> {
  return (await timeTool(c, tool, args)).ms;
}

function packMiB(root: string): number {
  return Math.round((packedBytes(root) / 1024 / 1024) * 10) / 10;
}

function commitCount(root: string): number {
  const out = new Deno.Command("git", { args: ["rev-list", "--count", "HEAD"], cwd: root })
    .outputSync();
  return Number(new TextDecoder().decode(out.stdout).trim());
}

/** Builds both repositories under `base` (the caller owns it) and measures `rounds` interleaved rounds. */
export async function measureGitScaling(
  base: string,
  rounds: number,
  say: (s: string) => void = () => {},
  longCommits: number = HISTORY.commits,
): Promise<GitScalingResult> {
  const shortCommits = Math.round(longCommits / SCALE);
  say(
    `git scaling: generating ${shortCommits} and ${longCommits} commits, the same files and edit`,
  );
  const t0 = performance.now();
  const [shortRoot, longRoot] = await Promise.all([
    makeHistoryRepo(base, shortCommits, "short"),
    makeHistoryRepo(base, longCommits, "long"),
  ]);
  const generateMs = Math.round(performance.now() - t0);
  const server = (root: string) =>
    new StdioRpc({
      cmd: Deno.execPath(),
      args: [...serverArgs(root), "--linters", "shellcheck"],
      cwd: APP_DIR,
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1" },
    });
  const servers = { short: server(shortRoot), long: server(longRoot) };
  const times = {
    short: CALLS.map(() => [] as number[]),
    long: CALLS.map(() => [] as number[]),
  };
  const mib = (kib: number | undefined) =>
    kib === undefined ? null : Math.round((kib / 1024) * 10) / 10;
  const peakMiB: GitScalingResult["peakMiB"] = { short: null, long: null };
  try {
    for (const c of Object.values(servers)) {
      const init = await c.request("initialize", INITIALIZE_PARAMS, 30_000);
      if (init.msg.error) throw new Error("initialize failed");
      await c.notify("notifications/initialized");
      for (const k of CALLS) await call(c, k.tool, k.args); // warm: each call made once before
    }
    say(`git scaling: ${rounds} rounds of ${CALLS.length} calls on each history`);
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? (["short", "long"] as const) : (["long", "short"] as const);
      for (const [j, k] of CALLS.entries()) {
        for (const which of order) {
          times[which][j]!.push(await call(servers[which], k.tool, k.args));
        }
      }
    }
    peakMiB.short = mib(memoryOf(servers.short.pid)?.vmHwmKiB);
    peakMiB.long = mib(memoryOf(servers.long.pid)?.vmHwmKiB);
  } finally {
    await servers.short.close();
    await servers.long.close();
  }
  return {
    commits: { short: commitCount(shortRoot), long: commitCount(longRoot) },
    packMiB: { short: packMiB(shortRoot), long: packMiB(longRoot) },
    rounds,
    rows: CALLS.map((k, j) => {
      const short = summarize(times.short[j]!);
      const long = summarize(times.long[j]!);
      return {
        ours: k.ours,
        short,
        long,
        ratio: Math.round((long.median / short.median) * 100) / 100,
      };
    }),
    peakMiB,
    generateMs,
  };
}

/** The worst (largest) long / short ratio of the rows. */
export function worstScaling(s: GitScalingResult): ScalingRow {
  return s.rows.reduce((a, b) => (b.ratio > a.ratio ? b : a));
}

/** The Markdown section for bench/results.md. */
export function scalingMarkdown(s: GitScalingResult): string {
  const ms = (x: Summary) => `${x.median.toFixed(1)} ms`;
  return [
    "",
    `### Cost against history: ${s.commits.short} commits (${s.packMiB.short} MiB packed) and ` +
    `${s.commits.long} commits (${s.packMiB.long} MiB), the same files and 10-file edit ` +
    `(${s.rounds} interleaved rounds, warm)`,
    "",
    `| ours | ${s.commits.short} commits | ${s.commits.long} commits | long / short |`,
    "| --- | --- | --- | --- |",
    ...s.rows.map((r) => `| ${r.ours} | ${ms(r.short)} | ${ms(r.long)} | ${r.ratio}× |`),
    "",
    `Peak memory (VmHWM) after every call: ${s.peakMiB.short ?? "n/a"} MiB and ${
      s.peakMiB.long ?? "n/a"
    } MiB.`,
    "",
  ].join("\n");
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const base = await Deno.makeTempDir({ prefix: "crm-git-scaling-" });
  try {
    const s = await measureGitScaling(
      base,
      quick ? 3 : 15,
      (m) => console.error(`bench: ${m}`),
      quick ? 1_000 : HISTORY.commits,
    );
    console.log(JSON.stringify(s, null, 2));
    console.log(scalingMarkdown(s));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}
