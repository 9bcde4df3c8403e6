/**
 * The benchmark end to end in its quickest mode: `deno task bench`'s own command with
 * --quick and a temporary output folder. Checks the results' shape, never their timings.
 */
import * as path from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { APP_DIR } from "./harness.ts";

const SERVERS = ["ours", "filesystem", "sdk", "floor"];
const BASELINES = ["filesystem", "sdk", "floor"];
/** Rows that measure ours alone: the ruff engine's life and the start-up of config's entries. */
const OURS_ONLY = [
  "footprint.ruff",
  "footprint.released",
  "footprint.first_ruff",
  "entry.npx",
  "entry.direct",
];
const ROW_IDS = [
  "cold_start.total",
  "cold_start.initialize",
  "cold_start.first_call",
  "stdio.list_directory.10",
  "stdio.list_directory.100",
  "stdio.list_directory.1000",
  "stdio.list_directory.10000",
  "stdio.read_file.10k",
  "stdio.read_file.100k",
  "stdio.read_file.1m",
  "stdio.run_linter.flake8",
  ...[1, 4, 8, 16, 32].flatMap((c) => [`http.c${c}.rps`, `http.c${c}.p99`]),
  "rss.stdio",
  "rss.http",
  "footprint.no_ruff",
  ...OURS_ONLY,
];

/** The words of the `bench` task, run with this Deno, writing to `out` as well as bench/. */
function benchCommand(out: string): string[] {
  const task: string =
    JSON.parse(Deno.readTextFileSync(path.join(APP_DIR, "deno.json"))).tasks.bench;
  const words = task.split(/\s+/);
  assertEquals(words[0], "deno");
  return words.slice(1).map((w) => (w.startsWith("--allow-write=") ? `${w},${out}` : w));
}

interface Cell {
  value: number;
}

Deno.test("deno task bench --quick writes results.json and results.md with every row, server, ratio and target", async () => {
  const out = await Deno.makeTempDir({ prefix: "crm-bench-" });
  try {
    const run = await new Deno.Command(Deno.execPath(), {
      args: [...benchCommand(out), "--quick", "--out", out],
      cwd: APP_DIR,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert(run.success, `bench failed (${run.code}):\n${stderr.slice(-3000)}`);

    const res = JSON.parse(await Deno.readTextFile(path.join(out, "results.json")));
    assertEquals(res.schema, 1);
    assertEquals(res.mode, "quick");
    for (const key of ["cpu", "cores", "memoryGiB", "os", "deno", "node", "wrk", "flake8"]) {
      assert(
        res.machine[key] !== undefined && res.machine[key] !== "",
        `machine.${key} is missing`,
      );
    }
    assertEquals(Object.keys(res.servers).sort(), [...SERVERS].sort());
    assertEquals(res.rows.map((r: { id: string }) => r.id).sort(), [...ROW_IDS].sort());
    for (const row of res.rows) {
      assertEquals(Object.keys(row.cells).sort(), [...SERVERS].sort(), row.id);
      assertEquals(Object.keys(row.ratios).sort(), [...BASELINES].sort(), row.id);
      const ours = row.cells.ours as Cell | null;
      assert(ours !== null && typeof ours.value === "number", `${row.id}: no measurement of ours`);
      const baselines = BASELINES.filter((b) => row.cells[b] !== null);
      assert(baselines.length > 0 || OURS_ONLY.includes(row.id), `${row.id}: no baseline`);
      for (const b of baselines) {
        assert(typeof row.ratios[b] === "number", `${row.id}: no ratio to ${b}`);
      }
    }
    assertEquals(
      res.targets.map((t: { name: string }) => t.name).sort(),
      [
        "HTTP throughput",
        "cold start",
        "config entry start-up",
        "first ruff answer",
        "list_directory latency",
        "memory without ruff",
        "peak RSS",
        "sandbox worker hop",
        // The project tools' targets and the git goals on the generated history (issue 18).
        ...res.project.targets.map((t: { name: string }) => t.name),
        ...res.search.targets.map((t: { name: string }) => t.name),
        ...res.git.history.rows.map((r: { ours: string }) => `git: ${r.ours}`),
        "git: cost against history",
      ].sort(),
    );
    for (const t of res.targets) {
      assert(
        typeof t.name === "string" && typeof t.goal === "string" && typeof t.measured === "string",
        JSON.stringify(t),
      );
      assert(t.met === null || typeof t.met === "boolean", JSON.stringify(t));
    }
    for (
      const key of [
        "directMedianMs",
        "workerMedianMs",
        "pingMedianMs",
        "hopMedianMs",
        "hopShareOfCall",
      ]
    ) {
      assertEquals(typeof res.workerHop[key], "number", `workerHop.${key}`);
    }
    // The project tools against native flake8 and ripgrep (both must be installed: the run fails otherwise).
    assertEquals(res.project.rows.map((r: { id: string }) => r.id), [
      "project.lint",
      "project.search",
      "tree.search",
      "project.find_symbol",
      "project.find_references",
    ]);
    for (const row of res.project.rows) {
      assertEquals(typeof row.ours.median, "number", row.id);
      const native = row.id === "project.lint" ? "flake8" : "rg";
      assertEquals(typeof row.ratios[native], "number", `${row.id}: ratio to ${native}`);
      assertEquals(typeof row.peakMiB.ours, "number", `${row.id}: peak memory`);
    }
    // Lint vs native ruff (warm, and with every file changed), lint memory vs the idle server
    // (issue 18), flake8, search, find_symbol.
    assertEquals(res.project.targets.length, 6);
    const lint = res.project.rows.find((r: { id: string }) => r.id === "project.lint");
    assertEquals(typeof lint.coldMs, "number", "project.lint: first call");
    assertEquals(typeof lint.idleMiB, "number", "project.lint: idle server memory");
    assertEquals(
      typeof lint.variants["every file changed"].ours.median,
      "number",
      "project.lint: every file changed",
    );
    const md = await Deno.readTextFile(path.join(out, "results.md"));
    assert(md.includes("## The whole project in one call"), "results.md has the project section");
    assertEquals([res.git.files, res.git.changed], [5000, 50]);
    for (const key of ["reviewChangesVsStatus", "getDiffVsDiff"]) {
      assertEquals(typeof res.git.ratios[key], "number", `git.ratios.${key}`);
    }
    assert(md.includes("## Git review: 5000 files, 50 changed"), md.slice(-800));
    // The same change on a tenth of the history: every call measured on both, as a ratio.
    assertEquals(res.gitScaling.rows.length, 4);
    for (const r of res.gitScaling.rows) assertEquals(typeof r.ratio, "number", r.ours);
    assertEquals(res.gitScaling.commits.long, 1000);
    assert(md.includes("### Cost against history"), "results.md has the scaling section");
    // Both protocol eras: cold start and HTTP for ours and the v2 SDK baseline in each era, the v1 baseline in 2025.
    const cells = (xs: { server: string; era: string }[]) =>
      xs.map((x) => `${x.server}/${x.era}`).sort();
    const eraCells = ["ours/2025", "ours/2026", "sdk/2025", "sdk_v2/2025", "sdk_v2/2026"];
    assertEquals(cells(res.eras.cold), eraCells);
    assertEquals([...new Set(cells(res.eras.http))], eraCells);
    for (const h of res.eras.http) {
      assertEquals(h.errors, 0, `${h.server}/${h.era} over HTTP had errors`);
    }
    assert(md.includes("## Both protocol eras"), "results.md has the eras section");
    assert(
      md.includes("| measure |") && md.includes("**Targets**") &&
        md.includes(String(res.machine.cpu)),
      md.slice(0, 500),
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
