/**
 * The git review benchmark: a generated repository of 5,000 files with 50 changed;
 * review_changes (linters off: the only enabled linter handles no changed file) and get_diff
 * over stdio, against the native `git status --porcelain` and `git diff` on the same
 * repository, interleaved in one run, reported as ratios. Run alone with
 * `deno run -A scripts/bench/git_review.ts [--quick]`, or as part of `deno task bench`.
 */
import * as path from "node:path";
import { APP_DIR, serverArgs } from "../../tests/e2e/harness.ts";
import { INITIALIZE_PARAMS, StdioRpc } from "./stdio_client.ts";
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
}

function git(cwd: string, ...args: string[]): string {
  const out = new Deno.Command("git", {
    args: ["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", ...args],
    cwd,
    env: {
      GIT_AUTHOR_NAME: "Bench",
      GIT_AUTHOR_EMAIL: "bench@example.com",
      GIT_COMMITTER_NAME: "Bench",
      GIT_COMMITTER_EMAIL: "bench@example.com",
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: "1",
    },
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

async function timeTool(
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
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    files: GIT_BENCH_FILES,
    changed: GIT_BENCH_CHANGED,
    calls,
    ...r,
    ratios: {
      reviewChangesVsStatus: round(r.reviewChanges.median / r.gitStatus.median),
      getDiffVsDiff: round(r.getDiff.median / r.gitDiff.median),
    },
    note:
      "ours: one tool call over stdio (JSON-RPC, sandbox worker, isomorphic-git reading the index's stat data); " +
      "native: the git process, start to exit",
  };
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
  ].join("\n");
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const base = await Deno.makeTempDir({ prefix: "crm-git-bench-" });
  try {
    const g = await measureGitReview(base, quick ? 5 : 30, (s) => console.error(`bench: ${s}`));
    console.log(JSON.stringify(g, null, 2));
    console.log(gitMarkdown(g));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}
