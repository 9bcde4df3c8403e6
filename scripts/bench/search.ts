/**
 * search_code against ripgrep on the benchmark's 10,000-file tree (scripts/bench/project.ts
 * makeTree), in the same run, as ratios: cold (the first search of a server just started, the
 * sandbox worker's start included) and warm (the same search repeated in one session, the
 * common case: the file list and texts are remembered). A literal, the same literal ignoring
 * case, and a regular expression; rg with the flags that pick the same files (hidden files
 * searched, .git skipped) and print every matching line. Issue 18's goals: cold within 3× of
 * rg, warm faster than rg.
 */
import * as path from "node:path";
import { makeTree, NEEDLE } from "./project.ts";
import { oursSpec, TMP_DIR } from "./servers.ts";
import { INITIALIZE_PARAMS, memoryOf, StdioRpc } from "./stdio_client.ts";
import { summarize, type Summary } from "./stats.ts";

/** One search, as search_code's arguments and as rg's. */
interface SearchCase {
  id: string;
  label: string;
  args: Record<string, unknown>;
  rg: string[];
}

/** rg's flags for the project walk's choice of files: hidden files searched, .git skipped, no config file. */
const RG_BASE = ["--no-config", "--hidden", "--glob", "!.git", "--line-number"];

export const SEARCH_CASES: SearchCase[] = [
  {
    id: "literal",
    label: `literal \`${NEEDLE}\``,
    args: { query: NEEDLE, case_sensitive: true },
    rg: [...RG_BASE, "--fixed-strings", "--case-sensitive", NEEDLE],
  },
  {
    id: "literal_ignore_case",
    label: `literal \`${NEEDLE.toUpperCase()}\`, case ignored`,
    args: { query: NEEDLE.toUpperCase(), case_sensitive: false },
    rg: [...RG_BASE, "--fixed-strings", "--ignore-case", NEEDLE.toUpperCase()],
  },
  {
    id: "regex",
    label: "regex `get_\\w+_record\\(\\d+\\)`",
    args: { query: "get_\\w+_record\\(\\d+\\)", regex: true, case_sensitive: true },
    rg: [...RG_BASE, "--case-sensitive", "get_\\w+_record\\(\\d+\\)"],
  },
];

export interface SearchRow {
  id: string;
  label: string;
  /** The first search of a freshly started server, right after initialize (one server per run). */
  cold: Summary;
  /**
   * The first search of a server started 2 s earlier, its sandbox worker up (it starts after the
   * first answer), as when a model searches after reading the tool list: the search's own first cost.
   */
  coldSettled: Summary;
  /** The same search repeated in one session, after one warm-up search. */
  warm: Summary;
  rg: Summary;
  /** ours / rg by medians; below 1 means ours is faster. */
  coldRatio: number;
  coldSettledRatio: number;
  warmRatio: number;
  /** Matching lines search_code and rg found (equal on the generated tree; a real repository may differ, see docs/search.md). */
  matches: number;
  rgMatches: number;
}

export interface SearchResults {
  treeFiles: number;
  runs: number;
  rows: SearchRow[];
  /** The warm session's server: resident after the searches, and peak (VmHWM), MiB. */
  rssMiB: number | null;
  /**
   * The machine's 1-minute load average before and after the measurements (Linux), or null: rg
   * uses both cores and loses most when they are busy, so the ratios move with the load.
   */
  load: [number, number] | null;
  peakMiB: number | null;
  targets: { name: string; goal: string; measured: string; met: boolean | null }[];
}

async function start(root: string): Promise<StdioRpc> {
  const c = new StdioRpc(oursSpec.stdio(root));
  const init = await c.request("initialize", INITIALIZE_PARAMS, 30_000);
  if (init.msg.error) throw new Error(`initialize failed: ${init.msg.error.message}`);
  await c.notify("notifications/initialized");
  return c;
}

/** One search_code call: its wall-clock ms and how many matching lines it reported. */
async function searchOnce(
  c: StdioRpc,
  args: Record<string, unknown>,
): Promise<{ ms: number; matches: number }> {
  const t = performance.now();
  const a = await c.request("tools/call", { name: "search_code", arguments: args }, 600_000);
  const result = a.msg.result as {
    isError?: boolean;
    content?: { text?: string }[];
    structuredContent?: { total_matches: number; partial: boolean };
  } | undefined;
  if (a.msg.error || !result || result.isError || !result.structuredContent) {
    throw new Error(
      `search_code failed: ${
        JSON.stringify(a.msg.error ?? result?.content?.[0]?.text ?? a.msg).slice(0, 300)
      }`,
    );
  }
  if (result.structuredContent.partial) throw new Error("search_code stopped early");
  return { ms: a.at - t, matches: result.structuredContent.total_matches };
}

/** One rg run: its wall-clock ms and how many matching lines it printed. */
async function rgOnce(root: string, args: string[]): Promise<{ ms: number; matches: number }> {
  const t = performance.now();
  const out = await new Deno.Command("rg", { args, cwd: root, stdout: "piped", stderr: "null" })
    .output();
  const ms = performance.now() - t;
  if (out.code > 1) throw new Error(`rg ${args.join(" ")} failed with code ${out.code}`);
  let matches = 0;
  for (const b of out.stdout) if (b === 10) matches++;
  return { ms, matches };
}

const round = (x: number) => Math.round(x * 100) / 100;
const mib = (kib: number | undefined) => kib === undefined ? null : Math.round(kib / 102.4) / 10;

/** Measures every case on `root`: `runs` cold starts each, `warmRuns` warm searches each, rg interleaved. */
export async function measureSearchOn(
  root: string,
  runs: number,
  warmRuns: number,
  say: (s: string) => void,
  cases: SearchCase[] = SEARCH_CASES,
  strict = true,
): Promise<
  {
    rows: SearchRow[];
    rssMiB: number | null;
    peakMiB: number | null;
    load: [number, number] | null;
  }
> {
  const loadBefore = loadAverage();
  const cold = new Map<string, number[]>(cases.map((k) => [k.id, []]));
  const settled = new Map<string, number[]>(cases.map((k) => [k.id, []]));
  const warm = new Map<string, number[]>(cases.map((k) => [k.id, []]));
  const native = new Map<string, number[]>(cases.map((k) => [k.id, []]));
  const found = new Map<string, [number, number]>();
  const agree = (id: string, ours: number, rg: number) => {
    if (strict && ours !== rg) throw new Error(`${id}: search_code found ${ours} lines, rg ${rg}`);
    found.set(id, [ours, rg]);
  };
  say(`search bench: ${runs} cold starts per search, and as many settled, rg interleaved`);
  for (let r = 0; r < runs; r++) {
    for (const k of cases) {
      for (const wait of [0, 2_000]) {
        const c = await start(root);
        try {
          if (wait > 0) await new Promise((res) => setTimeout(res, wait));
          const o = await searchOnce(c, k.args);
          (wait > 0 ? settled : cold).get(k.id)!.push(o.ms);
          const n = await rgOnce(root, k.rg);
          native.get(k.id)!.push(n.ms);
          agree(k.id, o.matches, n.matches);
        } finally {
          await c.close();
        }
      }
    }
  }
  say(`search bench: ${warmRuns} warm searches each in one session, rg interleaved`);
  const c = await start(root);
  let rssMiB: number | null = null;
  let peakMiB: number | null = null;
  try {
    for (const k of cases) await searchOnce(c, k.args); // warm-up: the caches filled
    for (let r = 0; r < warmRuns; r++) {
      for (const k of cases) {
        const oursFirst = r % 2 === 0;
        if (!oursFirst) native.get(k.id)!.push((await rgOnce(root, k.rg)).ms);
        warm.get(k.id)!.push((await searchOnce(c, k.args)).ms);
        if (oursFirst) native.get(k.id)!.push((await rgOnce(root, k.rg)).ms);
      }
    }
    const mem = memoryOf(c.pid);
    rssMiB = mib(mem?.vmRssKiB);
    peakMiB = mib(mem?.vmHwmKiB);
  } finally {
    await c.close();
  }
  const rows = cases.map((k): SearchRow => {
    const cs = summarize(cold.get(k.id)!);
    const ss = summarize(settled.get(k.id)!);
    const ws = summarize(warm.get(k.id)!);
    const ns = summarize(native.get(k.id)!);
    return {
      id: `search.${k.id}`,
      label: k.label,
      cold: cs,
      coldSettled: ss,
      warm: ws,
      rg: ns,
      coldRatio: round(cs.median / ns.median),
      coldSettledRatio: round(ss.median / ns.median),
      warmRatio: round(ws.median / ns.median),
      matches: found.get(k.id)?.[0] ?? 0,
      rgMatches: found.get(k.id)?.[1] ?? 0,
    };
  });
  const loadAfter = loadAverage();
  const load: [number, number] | null = loadBefore !== null && loadAfter !== null
    ? [loadBefore, loadAfter]
    : null;
  return { rows, rssMiB, peakMiB, load };
}

/** The 1-minute load average from /proc/loadavg, or null where there is none. */
function loadAverage(): number | null {
  try {
    const v = Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

/** The search section on a freshly generated tree of `treeFiles` files. */
export async function measureSearch(
  base: string,
  runs: number,
  warmRuns: number,
  say: (s: string) => void,
  treeFiles = 10_000,
): Promise<SearchResults> {
  const tree = path.join(base, "search-tree");
  say(`search bench: generating a ${treeFiles}-file tree`);
  await makeTree(tree, treeFiles);
  // Stamps younger than two seconds are not trusted by the caches (see walk.ts isRacy): a tree
  // generated a moment ago would be read again on every search, as no real project is.
  await new Promise((r) => setTimeout(r, 2_500));
  const m = await measureSearchOn(tree, runs, warmRuns, say);
  const worstCold = Math.max(...m.rows.map((r) => r.coldRatio));
  const worstWarm = Math.max(...m.rows.map((r) => r.warmRatio));
  return {
    treeFiles,
    runs,
    ...m,
    targets: [
      {
        name: "search cold",
        goal: "first search after start within 3× of rg",
        measured: m.rows.map((r) => `${r.id.slice(7)} ${r.coldRatio}×`).join(", "),
        met: worstCold <= 3,
      },
      {
        name: "search warm",
        goal: "a repeated search faster than rg (ours/rg < 1)",
        measured: m.rows.map((r) => `${r.id.slice(7)} ${r.warmRatio}×`).join(", "),
        met: worstWarm < 1,
      },
    ],
  };
}

/** The section of results.md (and search.md). */
export function searchMarkdown(s: SearchResults): string {
  const f = (x: Summary) => `${x.median.toFixed(1)} ms`;
  return [
    "",
    `## search_code against rg on a ${s.treeFiles}-file tree`,
    "",
    `Cold: the first search of a server just started, right after initialize (the sandbox worker's start included); settled: the first search 2 s after initialize, the worker up (${s.runs} starts per search each); warm: the same search repeated in one session (${
      s.rows[0]?.warm.n ?? 0
    } runs); rg interleaved, with \`${RG_BASE.join(" ")}\`. Medians.`,
    "",
    "| search | lines (ours, rg) | cold | settled | warm | rg | cold / rg | settled / rg | warm / rg |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...s.rows.map((r) =>
      `| ${r.label} | ${r.matches}, ${r.rgMatches} | ${f(r.cold)} | ${f(r.coldSettled)} | ${
        f(r.warm)
      } | ${f(r.rg)} | ${r.coldRatio}× | ${r.coldSettledRatio}× | ${r.warmRatio}× |`
    ),
    "",
    `Server memory after the warm searches: ${s.rssMiB ?? "n/a"} MiB resident, peak ${
      s.peakMiB ?? "n/a"
    } MiB (VmHWM).` +
    (s.load ? ` Load average (1 min) before and after: ${s.load[0]}, ${s.load[1]}.` : ""),
    "",
    "| target | goal | measured | met |",
    "| --- | --- | --- | --- |",
    ...s.targets.map((t) =>
      `| ${t.name} | ${t.goal} | ${t.measured} | ${t.met === null ? "n/a" : t.met ? "yes" : "no"} |`
    ),
    "",
  ].join("\n");
}

/**
 * `deno task bench --search`: this section alone, written to OUT_DIR/search.json and search.md.
 * `--search-root DIR` measures an existing folder (a real repository) instead of the tree, with
 * `--search-literal` and `--search-regex` as the queries.
 */
export async function searchOnly(
  outDir: string,
  quick: boolean,
  say: (s: string) => void,
  real?: { root: string; literal: string; regex: string },
): Promise<void> {
  const base = path.join(TMP_DIR, `search-${Deno.pid}`);
  const root = real?.root;
  let s: SearchResults;
  try {
    if (real !== undefined) {
      const cases: SearchCase[] = [
        {
          id: "literal",
          label: `literal \`${real.literal}\``,
          args: { query: real.literal, case_sensitive: true },
          rg: [...RG_BASE, "--fixed-strings", "--case-sensitive", real.literal],
        },
        {
          id: "literal_ignore_case",
          label: `literal \`${real.literal.toUpperCase()}\`, case ignored`,
          args: { query: real.literal.toUpperCase(), case_sensitive: false },
          rg: [...RG_BASE, "--fixed-strings", "--ignore-case", real.literal.toUpperCase()],
        },
        {
          id: "regex",
          label: `regex \`${real.regex}\``,
          args: { query: real.regex, regex: true, case_sensitive: true },
          rg: [...RG_BASE, "--case-sensitive", real.regex],
        },
      ];
      const m = await measureSearchOn(
        path.resolve(real.root),
        quick ? 1 : 5,
        quick ? 5 : 30,
        say,
        cases,
        false,
      );
      s = { treeFiles: 0, runs: quick ? 1 : 5, ...m, targets: [] };
    } else {
      s = await measureSearch(
        base,
        quick ? 1 : 5,
        quick ? 5 : 30,
        say,
        quick ? 1_000 : 10_000,
      );
    }
  } finally {
    await Deno.remove(base, { recursive: true }).catch(() => {});
  }
  await Deno.mkdir(outDir, { recursive: true });
  const md = root !== undefined
    ? searchMarkdown(s).replace(/on a 0-file tree/, `in \`${path.basename(root)}\``)
    : searchMarkdown(s);
  await Deno.writeTextFile(
    path.join(outDir, "search.json"),
    JSON.stringify(
      { startedAt: new Date().toISOString(), mode: quick ? "quick" : "full", ...s },
      null,
      2,
    ) + "\n",
  );
  await Deno.writeTextFile(path.join(outDir, "search.md"), md);
  console.log(md);
}
