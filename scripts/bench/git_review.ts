/**
 * The git review benchmark: a generated repository of 5,000 files with 50 changed;
 * review_changes (linters off: the only enabled linter handles no changed file) and get_diff
 * over stdio, against the native `git status --porcelain` and `git diff` on the same
 * repository, interleaved in one run, reported as ratios; then the same calls (and base=HEAD~5)
 * on a generated history that looks real, first call (each call the first of fresh servers,
 * median of 3) and warm, with the server's memory.
 * Run alone with `deno run -A scripts/bench/git_review.ts [--quick] [--history]` (--history:
 * the history rows only), or as part of `deno task bench`.
 */
import * as path from "node:path";
import { APP_DIR, serverArgs } from "../../tests/e2e/harness.ts";
import { INITIALIZE_PARAMS, memoryOf, StdioRpc } from "./stdio_client.ts";
import { benchGitEnv, HISTORY, makeHistoryRepo } from "./fixture.ts";
import { summarize, type Summary } from "./stats.ts";

export const GIT_BENCH_FILES = 5_000;
export const GIT_BENCH_CHANGED = 50;

export interface GitBenchResult {
  files: number;
  changed: number;
  calls: number;
  /** Medians and spreads, in ms, end to end (a tool call over stdio; a git process start to exit). */
  reviewChanges: Summary;
  gitStatus: Summary;
  getDiff: Summary;
  gitDiff: Summary;
  /** ours / native, by medians. */
  ratios: { reviewChangesVsStatus: number; getDiffVsDiff: number };
  /** Tracked files hashed by review_changes because their stat differed from the index's. */
  note: string;
  /** The same calls on a generated history (2,100 files, 5,000 commits with merges, packed). */
  history?: GitHistoryResult;
}

/** One call of ours against the native commands that answer the same question. */
export interface GitHistoryRow {
  id: string;
  ours: string;
  native: string;
  /**
   * The call as the first one after the server started (worker start and module loading
   * included): the median of `starts` fresh servers, each asked this call first.
   */
  firstMs: number;
  /** Each fresh server's first call (ms). */
  firstSamples: number[];
  warm: Summary;
  nativeMs: Summary;
  /** ours / native by medians: the first call, and warm. */
  coldRatio: number;
  warmRatio: number;
  /** The goal for this row (warm and cold), as in issue 18. */
  goal: { warm: number; cold: number };
}

export interface GitHistoryResult {
  files: number;
  commits: number;
  merges: number;
  packBytes: number;
  changed: number;
  rounds: number;
  /** Fresh servers started per row for its first call. */
  starts: number;
  rows: GitHistoryRow[];
  /** The server's resident set: idle after initialize, and its peak (VmHWM) after every call. */
  idleRssMiB: number | null;
  peakMiB: number | null;
  generateMs: number;
}

function git(cwd: string, ...args: string[]): string {
  const out = new Deno.Command("git", {
    args: ["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", ...args],
    cwd,
    env: benchGitEnv(cwd),
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** 5,000 files of about 40 lines in 100 folders, committed; then 50 of them edited. */
export function makeGitRepo(base: string): string {
  const root = path.join(base, "repo");
  Deno.mkdirSync(root, { recursive: true });
  git(root, "init", "-q");
  const body = (i: number) =>
    Array.from({ length: 40 }, (_, l) => `def f_${i}_${l}(x):\n    return x + ${l}\n`).join("");
  for (let i = 0; i < GIT_BENCH_FILES; i++) {
    const dir = path.join(root, `pkg${String(i % 100).padStart(3, "0")}`);
    if (i < 100) Deno.mkdirSync(dir);
    Deno.writeTextFileSync(path.join(dir, `mod_${i}.py`), body(i));
  }
  git(root, "add", "-A");
  git(root, "commit", "-qm", "generated");
  // A settled checkout: files older than the index, whose stat data the index holds.
  const past = new Date(Date.now() - 3600_000);
  for (let i = 0; i < GIT_BENCH_FILES; i++) {
    Deno.utimeSync(
      path.join(root, `pkg${String(i % 100).padStart(3, "0")}`, `mod_${i}.py`),
      past,
      past,
    );
  }
  git(root, "update-index", "--refresh");
  for (let i = 0; i < GIT_BENCH_CHANGED; i++) {
    const k = i * 97;
    const f = path.join(root, `pkg${String(k % 100).padStart(3, "0")}`, `mod_${k}.py`);
    Deno.writeTextFileSync(
      f,
      Deno.readTextFileSync(f).replace("return x + 3\n", "return x * 3  # changed\n"),
    );
  }
  return root;
}

async function timeGit(root: string, args: string[]): Promise<number> {
  const t = performance.now();
  const out = await new Deno.Command("git", {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "null",
    env: { HOME: root, GIT_CONFIG_NOSYSTEM: "1" },
  }).output();
  const ms = performance.now() - t;
  if (!out.success) throw new Error(`git ${args.join(" ")} failed`);
  return ms;
}

/** Bytes of a repository's pack files. */
export function packedBytes(root: string): number {
  const packDir = path.join(root, ".git", "objects", "pack");
  let bytes = 0;
  for (const e of Deno.readDirSync(packDir)) {
    if (e.name.endsWith(".pack")) bytes += Deno.statSync(path.join(packDir, e.name)).size;
  }
  return bytes;
}

export async function timeTool(
  c: StdioRpc,
  name: string,
  args: Record<string, unknown>,
): Promise<{ ms: number; text: string }> {
  const t = performance.now();
  const a = await c.request("tools/call", { name, arguments: args }, 120_000);
  const result = a.msg.result as { isError?: boolean; content?: { text?: string }[] } | undefined;
  if (a.msg.error || !result || result.isError) {
    throw new Error(
      `${name} failed: ${JSON.stringify(a.msg.error ?? result?.content?.[0]?.text).slice(0, 300)}`,
    );
  }
  return { ms: a.at - t, text: result.content?.[0]?.text ?? "" };
}

/** Builds the repository under `base`, measures `calls` rounds interleaved, removes nothing (the caller owns base). */
export async function measureGitReview(
  base: string,
  calls: number,
  say: (s: string) => void = () => {},
): Promise<GitBenchResult> {
  say(`git review: generating ${GIT_BENCH_FILES} files, ${GIT_BENCH_CHANGED} changed`);
  const root = makeGitRepo(base);
  const status = git(root, "status", "--porcelain").trim().split("\n").length;
  if (status !== GIT_BENCH_CHANGED) {
    throw new Error(`expected ${GIT_BENCH_CHANGED} changed files, git shows ${status}`);
  }
  const c = new StdioRpc({
    cmd: Deno.execPath(),
    args: [...serverArgs(root), "--linters", "shellcheck"],
    cwd: APP_DIR,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1" },
  });
  const rc: number[] = [], st: number[] = [], gd: number[] = [], nd: number[] = [];
  try {
    const init = await c.request("initialize", INITIALIZE_PARAMS, 30_000);
    if (init.msg.error) throw new Error("initialize failed");
    await c.notify("notifications/initialized");
    const first = await timeTool(c, "review_changes", {});
    if (!first.text.includes(`Changed files: ${GIT_BENCH_CHANGED}`)) {
      throw new Error(`review_changes saw another change:\n${first.text.slice(0, 400)}`);
    }
    const diff = await timeTool(c, "get_diff", {});
    if (diff.text.includes("cursor")) throw new Error("get_diff needed more than one page");
    await timeGit(root, ["status", "--porcelain"]);
    await timeGit(root, ["diff"]);
    say(`git review: ${calls} rounds of review_changes, git status, get_diff, git diff`);
    for (let i = 0; i < calls; i++) {
      const order = i % 2 === 0;
      if (order) {
        rc.push((await timeTool(c, "review_changes", {})).ms);
        st.push(await timeGit(root, ["status", "--porcelain"]));
      } else {
        st.push(await timeGit(root, ["status", "--porcelain"]));
        rc.push((await timeTool(c, "review_changes", {})).ms);
      }
      if (order) {
        gd.push((await timeTool(c, "get_diff", {})).ms);
        nd.push(await timeGit(root, ["diff"]));
      } else {
        nd.push(await timeGit(root, ["diff"]));
        gd.push((await timeTool(c, "get_diff", {})).ms);
      }
    }
  } finally {
    await c.close();
  }
  const r = {
    reviewChanges: summarize(rc),
    gitStatus: summarize(st),
    getDiff: summarize(gd),
    gitDiff: summarize(nd),
  };
  const history = await measureGitHistory(path.join(base, "history"), Math.max(3, calls), say);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    history,
    files: GIT_BENCH_FILES,
    changed: GIT_BENCH_CHANGED,
    calls,
    ...r,
    ratios: {
      reviewChangesVsStatus: round(r.reviewChanges.median / r.gitStatus.median),
      getDiffVsDiff: round(r.getDiff.median / r.gitDiff.median),
    },
    note:
      "ours: one tool call over stdio (JSON-RPC, sandbox worker, src/git reading the index's stat data and the packs in place); " +
      "native: the git process, start to exit",
  };
}

const HISTORY_ROWS: Array<{
  id: string;
  tool: string;
  args: Record<string, unknown>;
  ours: string;
  native: string[][];
  goal: { warm: number; cold: number };
}> = [
  {
    id: "review_changes",
    tool: "review_changes",
    args: {},
    ours: "review_changes (linters off)",
    native: [["status", "--porcelain"], ["diff", "--numstat"]],
    goal: { warm: 3, cold: 10 },
  },
  {
    id: "get_diff",
    tool: "get_diff",
    args: {},
    ours: "get_diff",
    native: [["diff"]],
    goal: { warm: 3, cold: 10 },
  },
  {
    id: "review_changes.base",
    tool: "review_changes",
    args: { base: "HEAD~5" },
    ours: "review_changes base=HEAD~5",
    native: [["log", "HEAD~5..HEAD"], ["diff", "--numstat", "HEAD~5"]],
    goal: { warm: 5, cold: 10 },
  },
  {
    id: "get_diff.base",
    tool: "get_diff",
    args: { base: "HEAD~5" },
    ours: "get_diff base=HEAD~5",
    native: [["diff", "HEAD~5"]],
    goal: { warm: 5, cold: 10 },
  },
];

/**
 * The git rows on a history that looks real (scripts/bench/fixture.ts makeHistoryRepo): each
 * call as the first one of `starts` fresh servers (its median: one sample swings twofold on a
 * busy machine, and a call made after another one would find the worker and modules loaded),
 * then `rounds` interleaved with the native commands in one server, as ratios; the server's idle
 * and peak memory.
 */
export async function measureGitHistory(
  base: string,
  rounds: number,
  say: (s: string) => void = () => {},
  starts = 3,
): Promise<GitHistoryResult> {
  say(`git history: generating ${HISTORY.commits} commits (git fast-import, git gc)`);
  const t0 = performance.now();
  const root = await makeHistoryRepo(base);
  const generateMs = Math.round(performance.now() - t0);
  const count = (args: string[]) => Number(git(root, ...args).trim());
  const packBytes = packedBytes(root);
  const changed = git(root, "status", "--porcelain").trim().split("\n").length;
  const server = () =>
    new StdioRpc({
      cmd: Deno.execPath(),
      args: [...serverArgs(root), "--linters", "shellcheck"],
      cwd: APP_DIR,
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1" },
    });
  const checkChanged = (row: (typeof HISTORY_ROWS)[number], text: string) => {
    if (row.id === "review_changes" && !text.includes(`Changed files: ${changed}`)) {
      throw new Error(`review_changes saw another change:\n${text.slice(0, 400)}`);
    }
  };
  const firsts = new Map<string, number[]>(HISTORY_ROWS.map((row) => [row.id, []]));
  say(`git history: each call first in ${starts} fresh servers`);
  for (let k = 0; k < starts; k++) {
    for (const row of HISTORY_ROWS) {
      const fresh = server();
      try {
        const init = await fresh.request("initialize", INITIALIZE_PARAMS, 30_000);
        if (init.msg.error) throw new Error("initialize failed");
        await fresh.notify("notifications/initialized");
        const r = await timeTool(fresh, row.tool, row.args);
        checkChanged(row, r.text);
        firsts.get(row.id)!.push(r.ms);
      } finally {
        await fresh.close();
      }
    }
  }
  const c = server();
  const first = new Map<string, number>();
  const warm = new Map<string, number[]>();
  const native = new Map<string, number[]>();
  let idleRssMiB: number | null = null;
  let peakMiB: number | null = null;
  const mib = (kib: number | undefined) =>
    kib === undefined ? null : Math.round((kib / 1024) * 10) / 10;
  try {
    const init = await c.request("initialize", INITIALIZE_PARAMS, 30_000);
    if (init.msg.error) throw new Error("initialize failed");
    await c.notify("notifications/initialized");
    idleRssMiB = mib(memoryOf(c.pid)?.vmRssKiB);
    for (const row of HISTORY_ROWS) {
      // Once each before the rounds: the warm rows measure calls that were made before.
      checkChanged(row, (await timeTool(c, row.tool, row.args)).text);
      first.set(row.id, summarize(firsts.get(row.id)!).median);
      warm.set(row.id, []);
      native.set(row.id, []);
    }
    say(`git history: ${rounds} rounds of ${HISTORY_ROWS.length} calls and their native commands`);
    for (let i = 0; i < rounds; i++) {
      for (const row of HISTORY_ROWS) {
        const nativeRun = async () => {
          let ms = 0;
          for (const args of row.native) ms += await timeGit(root, args);
          native.get(row.id)!.push(ms);
        };
        const oursRun = async () =>
          warm.get(row.id)!.push((await timeTool(c, row.tool, row.args)).ms);
        if (i % 2 === 0) {
          await oursRun();
          await nativeRun();
        } else {
          await nativeRun();
          await oursRun();
        }
      }
    }
    peakMiB = mib(memoryOf(c.pid)?.vmHwmKiB);
  } finally {
    await c.close();
  }
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    files: git(root, "ls-files").trim().split("\n").length,
    commits: count(["rev-list", "--count", "HEAD"]),
    merges: count(["rev-list", "--merges", "--count", "HEAD"]),
    packBytes,
    changed,
    rounds,
    starts,
    rows: HISTORY_ROWS.map((row) => {
      const w = summarize(warm.get(row.id)!);
      const n = summarize(native.get(row.id)!);
      return {
        id: row.id,
        ours: row.ours,
        native: row.native.map((a) => `git ${a.join(" ")}`).join(" + "),
        firstMs: round(first.get(row.id)!),
        firstSamples: firsts.get(row.id)!.map(round),
        warm: w,
        nativeMs: n,
        coldRatio: round(first.get(row.id)! / n.median),
        warmRatio: round(w.median / n.median),
        goal: row.goal,
      };
    }),
    idleRssMiB,
    peakMiB,
    generateMs,
  };
}

function historyMarkdown(h: GitHistoryResult): string {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const met = (r: GitHistoryRow) =>
    r.warmRatio <= r.goal.warm && r.coldRatio <= r.goal.cold ? "met" : "not met";
  return [
    "",
    `### On a generated history: ${h.files} files, ${h.commits} commits (${h.merges} merges), ` +
    `${(h.packBytes / 1024 / 1024).toFixed(1)} MiB packed by git gc, ${h.changed} files edited ` +
    `(${h.rounds} interleaved rounds; first call: median of ${h.starts} fresh servers each)`,
    "",
    "| ours | first call | warm median | native | native median | first / native | warm / native | goal (warm, first) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...h.rows.map((r) =>
      `| ${r.ours} | ${ms(r.firstMs)} | ${ms(r.warm.median)} | ${r.native} | ${
        ms(r.nativeMs.median)
      } | ${r.coldRatio}× | ${r.warmRatio}× | ≤ ${r.goal.warm}×, ≤ ${r.goal.cold}×: ${met(r)} |`
    ),
    "",
    `Server memory: ${h.idleRssMiB ?? "n/a"} MiB resident when idle, peak ${
      h.peakMiB ?? "n/a"
    } MiB (VmHWM) after every call. A first call is the first of a fresh server: it includes starting the sandbox worker and loading the git code (and, for review_changes, the tree-sitter grammar of the changed files).`,
    "",
  ].join("\n");
}

/** The Markdown section for bench/results.md. */
export function gitMarkdown(g: GitBenchResult): string {
  const f = (s: Summary) => `${s.median.toFixed(1)} ms (p95 ${s.p95.toFixed(1)})`;
  return [
    "",
    `## Git review: ${g.files} files, ${g.changed} changed (${g.calls} interleaved rounds)`,
    "",
    "| ours | median | native | median | ratio |",
    "| --- | --- | --- | --- | --- |",
    `| review_changes (linters off) | ${f(g.reviewChanges)} | git status --porcelain | ${
      f(g.gitStatus)
    } | ${g.ratios.reviewChangesVsStatus}× |`,
    `| get_diff | ${f(g.getDiff)} | git diff | ${f(g.gitDiff)} | ${g.ratios.getDiffVsDiff}× |`,
    "",
    g.note + ".",
    "",
  ].join("\n") + (g.history ? historyMarkdown(g.history) : "");
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const base = await Deno.makeTempDir({ prefix: "crm-git-bench-" });
  try {
    if (Deno.args.includes("--history")) {
      const h = await measureGitHistory(base, quick ? 3 : 15, (s) => console.error(`bench: ${s}`));
      console.log(JSON.stringify(h, null, 2));
      console.log(historyMarkdown(h));
      Deno.exit(0);
    }
    const g = await measureGitReview(base, quick ? 5 : 30, (s) => console.error(`bench: ${s}`));
    console.log(JSON.stringify(g, null, 2));
    console.log(gitMarkdown(g));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}
