/**
 * The whole project in one call, against the native tools a user would run instead:
 * `run_linter "."` with the built-in ruff against flake8 (and an installed ruff) over a
 * generated project of 1,000 Python files (about 100,000 lines), and `search_code` for a
 * literal against ripgrep over that project and over a 10,000-file tree. Runs are
 * interleaved; peak memory is the server's VmHWM and each native tool's max RSS.
 */
import * as path from "node:path";
import { oursSpec, TMP_DIR } from "./servers.ts";
import { INITIALIZE_PARAMS, memoryOf, StdioRpc } from "./stdio_client.ts";
import { summarize, type Summary } from "./stats.ts";

export interface ProjectRow {
  id: string;
  label: string;
  /** Median wall-clock ms per tool: ours and each native tool measured (null when not installed). */
  ours: Summary;
  natives: Record<string, Summary | null>;
  /** ours / native (median); above 1 means ours is slower. */
  ratios: Record<string, number | null>;
  /** Peak memory in MiB: the server process (after the runs) and each native tool's max RSS. */
  peakMiB: Record<string, number | null>;
  /** The first call after start (engine loading, caches empty), ms, and its ratio to each native median. */
  coldMs?: number;
  coldRatios?: Record<string, number | null>;
  /** The server's peak memory (VmHWM, MiB) once initialized, before its first call: the idle server. */
  idleMiB?: number | null;
  /**
   * Ours again in other conditions, run after the plain calls (ratios to the same native
   * medians): for the lint, every
   * Python file rewritten first (the remembered findings of no file hold; the engines do all the
   * work). Median ms and ratio to each native median.
   */
  variants?: Record<string, { ours: Summary; ratios: Record<string, number | null> }>;
}

export interface ProjectTarget {
  name: string;
  goal: string;
  measured: string;
  met: boolean | null;
}

export interface ProjectResults {
  fixture: { pythonFiles: number; pythonLines: number; treeFiles: number };
  runs: number;
  rows: ProjectRow[];
  targets: ProjectTarget[];
}

/** The literal searched for: in one file in ten of the tree, in a few functions of the project. */
export const NEEDLE = "get_user_record";

/** One Python module of about 100 lines with the findings real code has (unused imports, long lines). */
function pythonModule(i: number): string {
  const out = [
    `"""Module ${i} of the generated benchmark project."""`,
    "import os",
    "import sys",
    "from typing import Any",
    "",
    "",
    `CONSTANT_${i} = ${i}`,
    "",
  ];
  for (let j = 0; j < 10; j++) {
    out.push(
      "",
      `def function_${i}_${j}(value: int, other: Any = None) -> int:`,
      `    """Compute value ${j} for module ${i}."""`,
      `    result = value * ${j} + CONSTANT_${i}`,
      "    if other is not None:",
      "        result += len(str(other))",
      j % 3 === 0
        ? `    path = os.path.join("data", "records", "module_${i}", "function_${j}", "a_long_segment_name.txt")`
        : `    path = os.path.join("data", "${j}")`,
      j === 4
        ? `    return result + len(path) + len(${NEEDLE}(value))`
        : "    return result + len(path)",
    );
  }
  out.push(
    "",
    "",
    `def ${NEEDLE}(uid):`,
    '    """Return a record."""',
    "    return [uid] * len(sys.argv)",
    "",
  );
  return out.join("\n");
}

async function write(root: string, rel: string, text: string): Promise<void> {
  await Deno.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await Deno.writeTextFile(path.join(root, rel), text);
}

/** 1,000 Python modules in 20 packages; returns the total number of lines. */
export async function makePythonProject(root: string, files = 1000): Promise<number> {
  let lines = 0;
  for (let i = 0; i < files; i++) {
    const text = pythonModule(i);
    lines += text.split("\n").length;
    await write(
      root,
      `pkg_${String(i % 20).padStart(2, "0")}/module_${String(i).padStart(4, "0")}.py`,
      text,
    );
  }
  await write(root, ".gitignore", "build/\n*.log\n");
  return lines;
}

/** A 10,000-file tree of small mixed files in 100 folders; one file in ten names NEEDLE. */
export async function makeTree(root: string, files = 10_000): Promise<void> {
  const kinds = [".py", ".ts", ".md", ".txt", ".json"];
  for (let i = 0; i < files; i++) {
    const body = Array.from({ length: 20 }, (_, k) => (k === 7 && i % 10 === 0
      ? `call ${NEEDLE}(${i})`
      : `line ${k} of file ${i}: some ordinary text here`)).join("\n") + "\n";
    await write(
      root,
      `dir_${String(i % 100).padStart(3, "0")}/file_${String(i).padStart(5, "0")}${
        kinds[i % kinds.length]
      }`,
      body,
    );
  }
}

/** Exit code, wall-clock ms and max RSS (KiB) of a native command, through python3's getrusage. */
async function native(
  cmd: string,
  args: string[],
  cwd: string,
): Promise<{ ms: number; maxRssKiB: number | null; code: number }> {
  const t = performance.now();
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "null", stderr: "null" }).output();
  const ms = performance.now() - t;
  const probe =
    "import resource,subprocess,sys;subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);" +
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
  let maxRssKiB: number | null = null;
  try {
    const m = await new Deno.Command("python3", {
      args: ["-c", probe, cmd, ...args],
      cwd,
      stdout: "piped",
      stderr: "null",
    }).output();
    if (m.success) maxRssKiB = Number(new TextDecoder().decode(m.stdout).trim());
  } catch {
    // no python3: no memory figure
  }
  return { ms, maxRssKiB, code: out.code };
}

async function installed(cmd: string): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

async function call(c: StdioRpc, name: string, args: Record<string, unknown>): Promise<number> {
  const t = performance.now();
  const a = await c.request("tools/call", { name, arguments: args }, 600_000);
  const result = a.msg.result as { isError?: boolean; content?: { text?: string }[] } | undefined;
  if (a.msg.error || !result || result.isError) {
    throw new Error(
      `${name} failed: ${
        JSON.stringify(a.msg.error ?? result?.content?.[0]?.text ?? a.msg).slice(0, 300)
      }`,
    );
  }
  return a.at - t;
}

/**
 * BENCH_PROJECT_ROWS=project.lint,project.search runs only those rows (targets judged for them
 * alone); unset, every row runs.
 */
const onlyRows = Deno.env.get("BENCH_PROJECT_ROWS")?.split(",").map((s) => s.trim()).filter(
  (s) => s !== "",
);

/** Issue 18's goals for the built-in ruff over the whole project: speed against native ruff, memory against idle. */
function lintTargets(r: ProjectRow): ProjectTarget[] {
  const changed = r.variants?.[EVERY_FILE_CHANGED];
  const changedRatio = changed?.ratios["ruff (native)"] ?? null;
  const ratio = r.ratios["ruff (native)"] ?? null;
  const cold = r.coldRatios?.["ruff (native)"] ?? null;
  const peak = r.peakMiB.ours ?? null;
  const idle = r.idleMiB ?? null;
  return [
    {
      name: "project lint vs native ruff",
      goal: "built-in ruff within 3× of native `ruff check` warm (ours/ruff ≤ 3)",
      measured: ratio === null
        ? "ruff not installed"
        : `warm ${ratio.toFixed(2)}× (${Math.round(r.ours.median)} ms vs ${
          Math.round(r.natives["ruff (native)"]!.median)
        } ms); first call ${cold?.toFixed(2)}× (${Math.round(r.coldMs ?? 0)} ms)`,
      met: ratio === null ? null : ratio <= 3,
    },
    ...(changed === undefined ? [] : [{
      name: "project lint vs native ruff, every file changed",
      goal:
        "the same, with every file rewritten before each call (no remembered findings hold: the engines' own speed)",
      measured: changedRatio === null
        ? "ruff not installed"
        : `${changedRatio.toFixed(2)}× (${Math.round(changed.ours.median)} ms vs ${
          Math.round(r.natives["ruff (native)"]!.median)
        } ms)`,
      met: changedRatio === null ? null : changedRatio <= 3,
    }]),
    {
      name: "project lint memory",
      goal: "peak memory during a project lint within 2× of the idle server's (VmHWM)",
      measured: peak === null || idle === null
        ? "n/a"
        : `${peak} MiB peak vs ${idle} MiB idle: ${(peak / idle).toFixed(2)}×`,
      met: peak === null || idle === null ? null : peak <= 2 * idle,
    },
  ];
}

/** The lint row's variant: every Python file rewritten (same text, new time stamps) before the call. */
export const EVERY_FILE_CHANGED = "every file changed";

/** Rewrites every .py file under root with its own text: new time stamps, same content. */
async function rewritePython(root: string): Promise<void> {
  for await (const e of Deno.readDir(root)) {
    const p = path.join(root, e.name);
    if (e.isDirectory) await rewritePython(p);
    else if (e.isFile && e.name.endsWith(".py")) await Deno.writeFile(p, await Deno.readFile(p));
  }
}

const mib = (kib: number | null) => (kib === null ? null : Math.round((kib / 1024) * 10) / 10);

/** Measures every row, `runs` times each, ours and the natives interleaved. */
export async function measureProject(
  base: string,
  runs: number,
  say: (s: string) => void,
  size: { pythonFiles: number; treeFiles: number } = { pythonFiles: 1000, treeFiles: 10_000 },
): Promise<ProjectResults> {
  const project = path.join(base, "python-project");
  const tree = path.join(base, "tree");
  say(
    `project bench: generating ${size.pythonFiles} Python files and a ${size.treeFiles}-file tree`,
  );
  const pythonLines = await makePythonProject(project, size.pythonFiles);
  await makeTree(tree, size.treeFiles);
  const haveRuff = await installed("ruff");
  const rows: ProjectRow[] = [];

  const measure = async (
    id: string,
    label: string,
    root: string,
    ours: { name: string; arguments: Record<string, unknown> },
    natives: Record<string, [string, string[]] | null>,
    variants: Record<string, () => Promise<void>> = {},
  ) => {
    if (onlyRows !== undefined && !onlyRows.includes(id)) return;
    say(`project bench: ${label}, ${runs} run${runs === 1 ? "" : "s"} each`);
    const c = new StdioRpc(oursSpec.stdio(root));
    try {
      const init = await c.request("initialize", INITIALIZE_PARAMS, 30_000);
      if (init.msg.error) throw new Error(`initialize failed: ${init.msg.error.message}`);
      await c.notify("notifications/initialized");
      // The idle server, after a quiet moment for its startup work to settle.
      await new Promise((r) => setTimeout(r, 500));
      const idleMiB = mib(memoryOf(c.pid)?.vmHwmKiB ?? null);
      const coldMs = await call(c, ours.name, ours.arguments); // warm-up: engine loaded, caches filled
      const oursMs: number[] = [];
      const nativeMs: Record<string, number[]> = {};
      const nativeRss: Record<string, number | null> = {};
      for (let r = 0; r < runs; r++) {
        oursMs.push(await call(c, ours.name, ours.arguments));
        for (const [k, cmd] of Object.entries(natives)) {
          if (cmd === null) continue;
          const n = await native(cmd[0], cmd[1], root);
          (nativeMs[k] ??= []).push(n.ms);
          nativeRss[k] = Math.max(nativeRss[k] ?? 0, n.maxRssKiB ?? 0) || null;
        }
      }
      // Each variant after the plain runs (a variant's changes would reach the plain calls).
      const variantMs: Record<string, number[]> = {};
      for (const [name, before] of Object.entries(variants)) {
        for (let r = 0; r < runs; r++) {
          await before();
          (variantMs[name] ??= []).push(await call(c, ours.name, ours.arguments));
        }
      }
      const oursSum = summarize(oursMs);
      const sums: Record<string, Summary | null> = {};
      const ratios: Record<string, number | null> = {};
      const peakMiB: Record<string, number | null> = {
        ours: mib(memoryOf(c.pid)?.vmHwmKiB ?? null),
      };
      for (const k of Object.keys(natives)) {
        const xs = nativeMs[k];
        sums[k] = xs ? summarize(xs) : null;
        ratios[k] = xs ? Math.round((oursSum.median / sums[k]!.median) * 100) / 100 : null;
        peakMiB[k] = mib(nativeRss[k] ?? null);
      }
      const coldRatios: Record<string, number | null> = {};
      for (const k of Object.keys(natives)) {
        coldRatios[k] = sums[k] ? Math.round((coldMs / sums[k]!.median) * 100) / 100 : null;
      }
      const variantRows: NonNullable<ProjectRow["variants"]> = {};
      for (const [name, xs] of Object.entries(variantMs)) {
        const v = summarize(xs);
        const vr: Record<string, number | null> = {};
        for (const k of Object.keys(natives)) {
          vr[k] = sums[k] ? Math.round((v.median / sums[k]!.median) * 100) / 100 : null;
        }
        variantRows[name] = { ours: v, ratios: vr };
      }
      rows.push({
        id,
        label,
        ours: oursSum,
        natives: sums,
        ratios,
        peakMiB,
        coldMs,
        coldRatios,
        idleMiB,
        ...(Object.keys(variantRows).length > 0 ? { variants: variantRows } : {}),
      });
    } finally {
      await c.close();
    }
  };

  await measure(
    "project.lint",
    `run_linter "." (built-in ruff) vs flake8 over ${pythonLines} lines in ${size.pythonFiles} files`,
    project,
    {
      name: "run_linter",
      arguments: { file_path: "." },
    },
    {
      flake8: ["flake8", ["--isolated", "."]],
      "ruff (native)": haveRuff ? ["ruff", ["check", "--isolated", "--no-cache", "."]] : null,
      // ruff with its own cache (kept outside the project), as ours keeps findings between calls.
      "ruff (native, cached)": haveRuff
        ? ["ruff", ["check", "--isolated", "--cache-dir", path.join(base, "ruff-cache"), "."]]
        : null,
    },
    { [EVERY_FILE_CHANGED]: () => rewritePython(project) },
  );
  await measure(
    "project.search",
    `search_code literal vs rg over the ${size.pythonFiles}-file project`,
    project,
    {
      name: "search_code",
      arguments: { query: NEEDLE, case_sensitive: true },
    },
    { rg: ["rg", ["--fixed-strings", "--line-number", NEEDLE, "."]] },
  );
  await measure(
    "tree.search",
    `search_code literal vs rg over the ${size.treeFiles}-file tree`,
    tree,
    {
      name: "search_code",
      arguments: { query: NEEDLE, case_sensitive: true },
    },
    { rg: ["rg", ["--fixed-strings", "--line-number", NEEDLE, "."]] },
  );

  // Code intelligence (issue 20): the symbol index warm (the warm-up call built it), against the
  // native ways to answer the same question: universal-ctags' whole-project tags, rg on the word.
  const haveCtags = await installed("ctags");
  await measure(
    "project.find_symbol",
    `find_symbol (warm index) vs ctags -R and rg over the ${size.pythonFiles}-file project`,
    project,
    { name: "find_symbol", arguments: { name: NEEDLE } },
    {
      ctags: haveCtags ? ["ctags", ["-R", "-f", "-", "."]] : null,
      rg: ["rg", ["--line-number", `def ${NEEDLE}\\b`, "."]],
    },
  );
  await measure(
    "project.find_references",
    `find_references (warm index) vs rg -w over the ${size.pythonFiles}-file project`,
    project,
    { name: "find_references", arguments: { name: NEEDLE } },
    { rg: ["rg", ["--word-regexp", "--line-number", NEEDLE, "."]] },
  );

  const row = (id: string) => rows.find((r) => r.id === id)!;
  const targets: ProjectTarget[] = [];
  if (onlyRows !== undefined) {
    // A partial run (BENCH_PROJECT_ROWS) states only the lint targets it can judge.
    if (rows.some((r) => r.id === "project.lint")) {
      targets.push(...lintTargets(row("project.lint")));
    }
    return {
      fixture: { pythonFiles: size.pythonFiles, pythonLines, treeFiles: size.treeFiles },
      runs,
      rows,
      targets,
    };
  }
  const lintRatio = row("project.lint").ratios.flake8 ?? null;
  const searchRatios = ["project.search", "tree.search"].map((id) => row(id).ratios.rg);
  targets.push(
    ...lintTargets(row("project.lint")),
    {
      name: "project lint",
      goal: "built-in ruff at least 5× faster than flake8 (ours/flake8 ≤ 0.2)",
      measured: lintRatio === null
        ? "n/a"
        : `${lintRatio.toFixed(2)}× flake8's time (${
          Math.round(row("project.lint").ours.median)
        } ms vs ${Math.round(row("project.lint").natives.flake8!.median)} ms)`,
      met: lintRatio === null ? null : lintRatio <= 0.2,
    },
    {
      name: "search",
      goal: "within 3× of rg (ours/rg ≤ 3)",
      measured: searchRatios.map((r, i) =>
        `${i === 0 ? "project" : "tree"} ${r?.toFixed(2) ?? "n/a"}×`
      ).join(", "),
      met: searchRatios.some((r) => r === null) ? null : searchRatios.every((r) => r! <= 3),
    },
    {
      name: "find_symbol warm",
      goal: "under 50 ms on a 1,000-file project (issue 20); ratio to ctags -R shown",
      measured: `${Math.round(row("project.find_symbol").ours.median)} ms; ${
        row("project.find_symbol").ratios.ctags?.toFixed(2) ?? "n/a"
      }× ctags -R`,
      met: row("project.find_symbol").ours.median < 50,
    },
  );
  return {
    fixture: { pythonFiles: size.pythonFiles, pythonLines, treeFiles: size.treeFiles },
    runs,
    rows,
    targets,
  };
}

/** The section of results.md. */
export function projectMarkdown(p: ProjectResults): string {
  const natives = [...new Set(p.rows.flatMap((r) => Object.keys(r.natives)))];
  const lines = [
    "",
    "## The whole project in one call",
    "",
    `Fixture: ${p.fixture.pythonFiles} Python files (${p.fixture.pythonLines} lines) and a ${p.fixture.treeFiles}-file tree; ${p.runs} run(s) per tool, interleaved. Median ms; peak memory in MiB (server VmHWM; native tools' max RSS).`,
    "",
    "| measure | ours (ms) | " + natives.map((n) => `${n} (ms) | ours/${n}`).join(" | ") +
    " | peak MiB (ours; natives) |",
    "| --- | --- | " + natives.map(() => "--- | ---").join(" | ") + " | --- |",
  ];
  for (const r of p.rows) {
    const cells = natives.map((n) => {
      if (!(n in r.natives)) return "— | —";
      const s = r.natives[n];
      return s ? `${Math.round(s.median)} | ${r.ratios[n]?.toFixed(2)}×` : "not installed | —";
    });
    const mem = Object.entries(r.peakMiB).map(([k, v]) => `${k} ${v ?? "n/a"}`).join("; ");
    const idle = r.idleMiB === undefined || r.idleMiB === null ? "" : `; idle server ${r.idleMiB}`;
    lines.push(
      `| ${r.label} | ${Math.round(r.ours.median)} | ${cells.join(" | ")} | ${mem}${idle} |`,
    );
    for (const [name, v] of Object.entries(r.variants ?? {})) {
      const vcells = natives.map((n) => {
        const s = r.natives[n];
        return s ? `${Math.round(s.median)} | ${v.ratios[n]?.toFixed(2)}×` : "— | —";
      });
      lines.push(`| … ${name} | ${Math.round(v.ours.median)} | ${vcells.join(" | ")} | |`);
    }
  }
  lines.push(
    "",
    "**Targets (project tools)**",
    "",
    "| target | goal | measured | met |",
    "| --- | --- | --- | --- |",
  );
  for (const t of p.targets) {
    lines.push(
      `| ${t.name} | ${t.goal} | ${t.measured} | ${
        t.met === null ? "n/a" : t.met ? "yes" : "no"
      } |`,
    );
  }
  return lines.join("\n") + "\n";
}

const README_START = "<!-- bench-project:start -->";
const README_END = "<!-- bench-project:end -->";

/**
 * `deno task bench --project`: this section alone, written to OUT_DIR/project.json and project.md;
 * a full run (not --quick, default output) also replaces the README's block between its markers.
 */
export async function projectOnly(
  outDir: string,
  quick: boolean,
  say: (s: string) => void,
): Promise<void> {
  const base = path.join(TMP_DIR, `project-${Deno.pid}`);
  let p: ProjectResults;
  try {
    p = await measureProject(
      base,
      quick ? 1 : 5,
      say,
      quick ? { pythonFiles: 100, treeFiles: 1000 } : undefined,
    );
  } finally {
    await Deno.remove(base, { recursive: true }).catch(() => {});
  }
  await Deno.mkdir(outDir, { recursive: true });
  const md = projectMarkdown(p);
  await Deno.writeTextFile(
    path.join(outDir, "project.json"),
    JSON.stringify(
      { startedAt: new Date().toISOString(), mode: quick ? "quick" : "full", ...p },
      null,
      2,
    ) + "\n",
  );
  await Deno.writeTextFile(path.join(outDir, "project.md"), md);
  console.log(md);
  if (quick || !outDir.endsWith(`${path.sep}bench`)) return;
  const readmePath = path.join(path.dirname(outDir), "README.md");
  const readme = await Deno.readTextFile(readmePath);
  const a = readme.indexOf(README_START);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) return;
  const table = md.split("\n").filter((l) => !l.startsWith("## ")).join("\n").trim();
  const block =
    `${README_START}\n<!-- generated by \`deno task bench --project\`; do not edit -->\n\n${table}\n\n${README_END}`;
  await Deno.writeTextFile(
    readmePath,
    readme.slice(0, a) + block + readme.slice(b + README_END.length),
  );
}
