/**
 * `deno task bench`: code-review-mcp against what users would pick instead (the
 * official filesystem server, a Node SDK server, a no-SDK floor), interleaved in one
 * run so the ratios hold on a noisy machine. Writes bench/results.json and
 * bench/results.md (and the README's table). `--quick` (or BENCH_QUICK=1) is a smoke run
 * that writes to bench/tmp/quick/; `--out DIR` moves the output. `--project` runs only the
 * project tools' section (scripts/bench/project.ts) and writes bench/project.json and .md;
 * `--search` only search_code against rg (scripts/bench/search.ts), bench/search.json and .md
 * (`--search-root DIR --search-literal L --search-regex R`: on an existing folder instead).
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { APP_DIR } from "../tests/e2e/harness.ts";
import { denoRunFlags } from "../src/permissions.ts";
import { LIMITS } from "../src/config.ts";
import { type FileSize, HISTORY, LIST_SIZES, listDir, makeFixture } from "./bench/fixture.ts";
import { haveWrk, runWrk, writeLuaScript, type WrkRun } from "./bench/http_load.ts";
import {
  type BaselineId,
  type Cell,
  headline,
  makeRow,
  type Results,
  type Row,
  type Target,
  targetsTable,
  toMarkdown,
  toText,
} from "./bench/report.ts";
import {
  baselineVersions,
  filesystemSpec,
  floorSpec,
  installBaselines,
  oursSpec,
  runCommand,
  sdkSpec,
  SERVER_IDS,
  SERVER_LABELS,
  type ServerId,
  type ServerSpec,
  TMP_DIR,
} from "./bench/servers.ts";
import { histogramPercentile, mergeHistograms, summarize, type Summary } from "./bench/stats.ts";
import { INITIALIZE_PARAMS, memoryOf, StdioRpc } from "./bench/stdio_client.ts";
import { runSoak, soakMarkdown } from "./bench/soak.ts";
import {
  FOOTPRINT_RUFF_IDLE_MS,
  measureEntries,
  measureFootprint,
  medianMiB,
} from "./bench/footprint.ts";
import { type GitBenchResult, gitMarkdown, measureGitReview } from "./bench/git_review.ts";
import {
  type GitScalingResult,
  measureGitScaling,
  SCALE,
  SCALING_GOAL,
  scalingMarkdown,
  worstScaling,
} from "./bench/git_scaling.ts";
import {
  measureProject,
  projectMarkdown,
  projectOnly,
  type ProjectResults,
} from "./bench/project.ts";
import { erasMarkdown, type ErasResults, measureEras } from "./bench/eras.ts";
import { measureSearch, searchMarkdown, searchOnly, type SearchResults } from "./bench/search.ts";

const flags = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean" },
    out: { type: "string" },
    project: { type: "boolean" },
    soak: { type: "boolean" },
    redis: { type: "boolean" },
    search: { type: "boolean" },
    "search-root": { type: "string" },
    "search-literal": { type: "string" },
    "search-regex": { type: "string" },
    "soak-minutes": { type: "string" },
    "soak-clients": { type: "string" },
  },
});
const QUICK = flags.values.quick === true || Deno.env.get("BENCH_QUICK") === "1";
/** A quick run writes under bench/tmp/ unless told otherwise, so it never replaces the published results. */
const OUT_DIR = path.resolve(
  flags.values.out ?? path.join(APP_DIR, QUICK ? "bench/tmp/quick" : "bench"),
);

/** How much of everything: the full run takes a few minutes, the quick one seconds. */
const PLAN = QUICK
  ? {
    coldStarts: 2,
    coldWarmups: 1,
    calls: {
      list100: 20,
      read100k: 20,
      list10: 10,
      list1000: 10,
      list10000: 5,
      read10k: 10,
      read1m: 5,
      lint: 2,
    },
    warmupCalls: 3,
    batch: 5,
    httpRounds: 1,
    httpSeconds: 1,
    httpWarmupSeconds: 0,
    hopCalls: 50,
    footprintRuns: 1,
    entryRuns: 2,
    entryWarmups: 0,
  }
  : {
    coldStarts: 30,
    coldWarmups: 2,
    calls: {
      list100: 2000,
      read100k: 2000,
      list10: 1000,
      list1000: 300,
      list10000: 100,
      read10k: 1000,
      read1m: 100,
      lint: 30,
    },
    warmupCalls: 50,
    batch: 25,
    httpRounds: 3,
    httpSeconds: 3,
    httpWarmupSeconds: 1,
    hopCalls: 3000,
    footprintRuns: 5,
    entryRuns: 15,
    entryWarmups: 2,
  };
const HTTP_CONCURRENCY = [1, 4, 8, 16, 32] as const;

const say = (s: string) => console.error(`bench: ${s}`);
const ms = (x: number) => Math.round(x * 1000) / 1000;
const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

/** Rotates `xs` by `k`, so no server is always measured first (or last) in a round. */
function rotate<T>(xs: readonly T[], k: number): T[] {
  const n = xs.length;
  return xs.map((_, i) => xs[(i + k) % n]!);
}

// ---------------------------------------------------------------------------------
// Cold start over stdio

interface ColdSample {
  initMs: number;
  totalMs: number;
  /** Until the answer to a first list_directory right after tools/list: time to a first useful answer. */
  firstCallMs: number;
}

/** Spawn, initialize, tools/list; the times are from just before the spawn. */
async function coldStart(spec: ServerSpec, root: string): Promise<ColdSample> {
  const t0 = performance.now();
  const c = new StdioRpc(spec.stdio(root));
  try {
    const init = await c.request("initialize", INITIALIZE_PARAMS, 30_000);
    if (init.msg.error) throw new Error(`${spec.id}: initialize failed: ${init.msg.error.message}`);
    await c.notify("notifications/initialized");
    const list = await c.request("tools/list", {}, 30_000);
    const tools = (list.msg.result as { tools?: unknown[] } | undefined)?.tools;
    if (!Array.isArray(tools) || tools.length === 0) {
      throw new Error(`${spec.id}: tools/list returned no tools`);
    }
    await callOnce(c, spec.id, spec.ops.listDirectory(100)(root)!);
    return { initMs: init.at - t0, totalMs: list.at - t0, firstCallMs: performance.now() - t0 };
  } finally {
    await c.close();
  }
}

async function measureColdStarts(
  specs: ServerSpec[],
  root: string,
): Promise<Map<ServerId, ColdSample[]>> {
  const out = new Map<ServerId, ColdSample[]>(specs.map((s) => [s.id, []]));
  for (let i = 0; i < PLAN.coldWarmups; i++) for (const s of specs) await coldStart(s, root);
  for (let i = 0; i < PLAN.coldStarts; i++) {
    for (const s of rotate(specs, i)) out.get(s.id)!.push(await coldStart(s, root));
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Steady state over stdio

type CallOf = (
  spec: ServerSpec,
) => { name: string; arguments: Record<string, unknown> } | undefined;

async function startStdio(spec: ServerSpec, root: string): Promise<StdioRpc> {
  const c = new StdioRpc(spec.stdio(root));
  const init = await c.request("initialize", INITIALIZE_PARAMS, 30_000);
  if (init.msg.error) throw new Error(`${spec.id}: initialize failed`);
  await c.notify("notifications/initialized");
  return c;
}

async function callOnce(c: StdioRpc, id: ServerId, params: { name: string }): Promise<number> {
  const t = performance.now();
  const a = await c.request("tools/call", params);
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

/** n sequential calls per server, in batches whose order rotates every round. */
async function interleaved(
  specs: ServerSpec[],
  clients: Map<ServerId, StdioRpc>,
  root: string,
  callOf: CallOf,
  n: number,
): Promise<Map<ServerId, number[]>> {
  const active = specs.flatMap((s) => {
    const params = callOf(s);
    return params ? [{ s, params }] : [];
  });
  const samples = new Map<ServerId, number[]>(active.map(({ s }) => [s.id, []]));
  void root;
  for (const { s, params } of active) {
    for (let i = 0; i < PLAN.warmupCalls; i++) await callOnce(clients.get(s.id)!, s.id, params);
  }
  for (let round = 0; active.some(({ s }) => samples.get(s.id)!.length < n); round++) {
    for (const { s, params } of rotate(active, round)) {
      const xs = samples.get(s.id)!;
      for (let k = 0; k < PLAN.batch && xs.length < n; k++) {
        xs.push(await callOnce(clients.get(s.id)!, s.id, params));
      }
    }
  }
  return samples;
}

// ---------------------------------------------------------------------------------
// HTTP (stateless)

interface HttpServer {
  id: ServerId;
  url: string;
  child: Deno.ChildProcess;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

const LIST_BODY = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "list_directory", arguments: { dir_path: listDir(100) } },
});

/** POSTs the benchmark's body once and checks that a listing came back (JSON or SSE). */
async function checkHttp(url: string): Promise<string | null> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-06-18",
      },
      body: LIST_BODY,
    });
    const text = await res.text();
    if (res.status !== 200) return `status ${res.status}: ${text.slice(0, 200)}`;
    if (!text.includes("entry_00099.py") || text.includes('"isError":true')) {
      return `unexpected answer: ${text.slice(0, 200)}`;
    }
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

async function startHttp(spec: ServerSpec, root: string): Promise<HttpServer | string> {
  const port = freePort();
  const h = spec.http!(root, port);
  const child = new Deno.Command(h.cmd, {
    args: h.args,
    ...(h.cwd !== undefined ? { cwd: h.cwd } : {}),
    ...(h.env !== undefined ? { env: h.env } : {}),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  })
    .spawn();
  let stderr = "";
  void (async () => {
    for await (const chunk of child.stderr) {
      stderr = (stderr + new TextDecoder().decode(chunk)).slice(-4000);
    }
  })();
  let exited = false;
  child.status.then(() => (exited = true));
  const deadline = performance.now() + 20_000;
  let last: string | null = "not started";
  while (performance.now() < deadline && !exited) {
    last = await checkHttp(h.url);
    if (last === null) return { id: spec.id, url: h.url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    child.kill("SIGKILL");
  } catch {
    // already gone
  }
  await child.status;
  return `${spec.id} over HTTP did not answer (${last}); stderr: ${
    stderr.trim().split("\n").slice(-3).join(" | ")
  }`;
}

async function stopHttp(h: HttpServer): Promise<void> {
  try {
    h.child.kill("SIGTERM");
  } catch {
    // already gone
  }
  const timer = setTimeout(() => {
    try {
      h.child.kill("SIGKILL");
    } catch {
      // gone
    }
  }, 3000);
  await h.child.status;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------
// The sandbox worker's hop

interface HopResult {
  direct: Summary;
  worker: Summary;
  ping: Summary;
}

/** Runs scripts/bench/worker_hop.ts under the server's own flags (see that file for why). */
async function measureWorkerHop(root: string): Promise<HopResult> {
  const flags = denoRunFlags({
    read: [root, path.join(APP_DIR, "src"), path.join(APP_DIR, "scripts")],
  });
  const out = await runCommand(
    Deno.execPath(),
    [
      "run",
      ...flags,
      path.join(APP_DIR, "scripts/bench/worker_hop.ts"),
      root,
      listDir(100),
      String(PLAN.hopCalls),
    ],
    APP_DIR,
  );
  return JSON.parse(out.split("\n").pop()!) as HopResult;
}

// ---------------------------------------------------------------------------------
// Machine

async function machine(wrk: string): Promise<Record<string, string | number>> {
  // Through `cat`: Deno asks for --allow-all to read /proc directly.
  const cpuinfo = await runCommand("cat", ["/proc/cpuinfo"], APP_DIR).catch(() => "");
  const osRelease = await Deno.readTextFile("/etc/os-release").catch(() => "");
  const version = async (cmd: string, args: string[]) => {
    try {
      return (await runCommand(cmd, args, APP_DIR)).split("\n")[0]!.trim();
    } catch {
      return "not installed";
    }
  };
  return {
    cpu: cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? "unknown",
    cores: navigator.hardwareConcurrency,
    memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30 * 10) / 10,
    os: `${
      osRelease.match(/^PRETTY_NAME="?([^"\n]+)"?$/m)?.[1] ?? Deno.build.os
    }, Linux ${Deno.osRelease()}`,
    arch: Deno.build.arch,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    node: (await version("node", ["--version"])).replace(/^v/, ""),
    wrk,
    flake8: (await version("flake8", ["--version"])).split(" ")[0]!,
  };
}

// ---------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const wrk = await haveWrk();
  if (!wrk) throw new Error("wrk is not installed: apt-get install wrk (the HTTP load generator)");
  await installBaselines(say);
  const versions = await baselineVersions();
  const fixtureBase = path.join(TMP_DIR, `fixture-${Deno.pid}`);
  const root = await makeFixture(fixtureBase);
  say(`fixture at ${root}; ${QUICK ? "quick" : "full"} run`);
  const specs: ServerSpec[] = [oursSpec, filesystemSpec, sdkSpec, floorSpec];
  const rows: Row[] = [];
  const memory: Record<string, Partial<Record<ServerId, { vmHwmKiB: number; vmRssKiB: number }>>> =
    {};
  let hop: HopResult | undefined;
  let gitBench: GitBenchResult | undefined;
  let gitScaling: GitScalingResult | undefined;
  let eras: ErasResults | undefined;
  let project: ProjectResults | undefined;
  let search: SearchResults | undefined;
  const httpNotes: string[] = [];

  try {
    // 1. Cold start.
    say(`cold starts: ${PLAN.coldStarts} per server, interleaved`);
    const cold = await measureColdStarts(specs, root);
    const coldCells = (pick: (c: ColdSample) => number) =>
      Object.fromEntries(specs.map((s) => {
        const sum = summarize(cold.get(s.id)!.map(pick));
        return [s.id, { value: sum.median, summary: sum } satisfies Cell];
      }));
    rows.push(
      makeRow({
        id: "cold_start.total",
        section: "Cold start over stdio",
        label: "spawn → initialize → tools/list",
        unit: "ms",
        better: "lower",
        cells: coldCells((c) => c.totalMs),
      }),
    );
    rows.push(
      makeRow({
        id: "cold_start.initialize",
        section: "Cold start over stdio",
        label: "spawn → initialize result",
        unit: "ms",
        better: "lower",
        cells: coldCells((c) => c.initMs),
      }),
    );
    rows.push(
      makeRow({
        id: "cold_start.first_call",
        section: "Cold start over stdio",
        label: "spawn → … → first list_directory result",
        unit: "ms",
        better: "lower",
        cells: coldCells((c) => c.firstCallMs),
      }),
    );

    // Footprint: sessions with and without ruff, the engine's cold load and idle release; config's entries.
    say(`footprint: ${PLAN.footprintRuns} sessions of ours and of the Node SDK baseline`);
    await footprintRows(rows, root);

    // 2 and 5. Steady state over stdio, every server alive, calls interleaved.
    say("steady state over stdio");
    const clients = new Map<ServerId, StdioRpc>();
    for (const s of specs) clients.set(s.id, await startStdio(s, root));
    // Ours starts its sandbox worker after initialize; let that finish before measuring.
    await new Promise((r) => setTimeout(r, QUICK ? 200 : 2000));
    try {
      const latencyRow = (
        id: string,
        section: string,
        label: string,
        samples: Map<ServerId, number[]>,
        note?: string,
      ) => {
        const cells: Partial<Record<ServerId, Cell>> = {};
        for (const [sid, xs] of samples) {
          const sum = summarize(xs);
          cells[sid] = { value: sum.median, summary: sum };
        }
        rows.push(
          makeRow({
            id,
            section,
            label,
            unit: "ms",
            better: "lower",
            cells,
            ...(note ? { note } : {}),
          }),
        );
      };
      const list = (n: number): CallOf => (s) => s.ops.listDirectory(n)(root);
      const read = (size: FileSize): CallOf => (s) => s.ops.readFile(size)(root);
      const steady = "Steady-state latency over stdio (one call in flight)";
      const growth = "How cost grows over stdio";
      say(`list_directory 100 entries × ${PLAN.calls.list100}`);
      latencyRow(
        "stdio.list_directory.100",
        steady,
        "list_directory, 100 entries",
        await interleaved(specs, clients, root, list(100), PLAN.calls.list100),
      );
      say(`read_file 100 KiB × ${PLAN.calls.read100k}`);
      latencyRow(
        "stdio.read_file.100k",
        steady,
        "read_file, 100 KiB",
        await interleaved(specs, clients, root, read("100k"), PLAN.calls.read100k),
      );
      say(`run_linter flake8 × ${PLAN.calls.lint}`);
      latencyRow(
        "stdio.run_linter.flake8",
        steady,
        "run_linter, flake8 on a 10-line file",
        await interleaved(specs, clients, root, (s) => s.ops.runLinter(root), PLAN.calls.lint),
      );
      for (const n of LIST_SIZES.filter((n) => n !== 100)) {
        const calls = PLAN.calls[`list${n}` as "list10"];
        say(`list_directory ${n} entries × ${calls}`);
        latencyRow(
          `stdio.list_directory.${n}`,
          growth,
          `list_directory, ${n} entries`,
          await interleaved(specs, clients, root, list(n), calls),
          n > LIMITS.maxListEntries
            ? "(ours, SDK and floor return the first 1000, sorted, with the count; filesystem returns all names)"
            : undefined,
        );
      }
      for (const size of ["10k", "1m"] as const) {
        const calls = PLAN.calls[size === "10k" ? "read10k" : "read1m"];
        say(`read_file ${size} × ${calls}`);
        latencyRow(
          `stdio.read_file.${size}`,
          growth,
          `read_file, ${size === "10k" ? "10 KiB" : "1 MiB"}`,
          await interleaved(specs, clients, root, read(size), calls),
        );
      }
      memory.stdio = {};
      for (const s of specs) {
        const mem = memoryOf(clients.get(s.id)!.pid);
        if (mem) memory.stdio[s.id] = mem;
      }
    } finally {
      for (const c of clients.values()) await c.close();
    }

    // 3 and 5. HTTP, stateless.
    const httpSpecs = specs.filter((s) => s.http);
    const servers: HttpServer[] = [];
    for (const s of httpSpecs) {
      const h = await startHttp(s, root);
      if (typeof h === "string") {
        httpNotes.push(h);
        say(h);
      } else servers.push(h);
    }
    try {
      const script = await writeLuaScript(
        TMP_DIR,
        `list_directory_${Deno.pid}`,
        LIST_BODY,
        "entry_00099.py",
      );
      if (PLAN.httpWarmupSeconds > 0) {
        for (const h of servers) await runWrk(h.url, script, 8, PLAN.httpWarmupSeconds);
      }
      const runs = new Map<string, WrkRun[]>();
      for (let round = 0; round < PLAN.httpRounds; round++) {
        for (const [ci, c] of HTTP_CONCURRENCY.entries()) {
          say(`HTTP round ${round + 1}/${PLAN.httpRounds}, ${c} connection${c === 1 ? "" : "s"}`);
          for (const h of rotate(servers, round + ci)) {
            const key = `${h.id}/${c}`;
            const run = await runWrk(h.url, script, c, PLAN.httpSeconds);
            // A benchmark of refusals is no benchmark: stop rather than publish it.
            if (run.errors > run.requests * 0.01) {
              throw new Error(
                `${h.id} over HTTP: ${run.errors} of ${run.requests} requests failed at ${c} connections; first: ${
                  run.firstBad ?? "socket errors"
                }`,
              );
            }
            runs.set(key, [...(runs.get(key) ?? []), run]);
          }
        }
      }
      for (const c of HTTP_CONCURRENCY) {
        const rps: Partial<Record<ServerId, Cell>> = {};
        const p99: Partial<Record<ServerId, Cell>> = {};
        for (const h of servers) {
          const rs = runs.get(`${h.id}/${c}`) ?? [];
          const requests = rs.reduce((a, r) => a + r.requests, 0);
          const seconds = rs.reduce((a, r) => a + r.durationUs, 0) / 1e6;
          const errors = rs.reduce((a, r) => a + r.errors, 0);
          const hist = mergeHistograms(rs.map((r) => r.histogram));
          rps[h.id] = {
            value: Math.round((requests - errors) / seconds),
            extra: { requests, errors, seconds: Math.round(seconds * 10) / 10 },
          };
          p99[h.id] = {
            value: ms(histogramPercentile(hist, 99) / 1000),
            extra: {
              p50: ms(histogramPercentile(hist, 50) / 1000),
              p90: ms(histogramPercentile(hist, 90) / 1000),
              requests,
              errors,
            },
          };
        }
        const section = c === 1 || c === 8 || c === 32
          ? "HTTP (stateless), tools/call list_directory on 100 entries"
          : "How cost grows over HTTP (stateless)";
        rows.push(
          makeRow({
            id: `http.c${c}.rps`,
            section,
            label: `${c} concurrent client${c === 1 ? "" : "s"}: throughput`,
            unit: "req/s",
            better: "higher",
            cells: rps,
          }),
        );
        rows.push(
          makeRow({
            id: `http.c${c}.p99`,
            section,
            label: `${c} concurrent client${c === 1 ? "" : "s"}: p99 latency`,
            unit: "ms",
            better: "lower",
            cells: p99,
          }),
        );
      }
      memory.http = {};
      for (const h of servers) {
        const mem = memoryOf(h.child.pid);
        if (mem) memory.http[h.id] = mem;
      }
    } finally {
      for (const h of servers) await stopHttp(h);
    }

    // 4. Peak RSS.
    for (const [transport, mems] of Object.entries(memory)) {
      const cells: Partial<Record<ServerId, Cell>> = {};
      for (const [sid, m] of Object.entries(mems)) {
        cells[sid as ServerId] = {
          value: mib(m!.vmHwmKiB),
          extra: { vmHwmKiB: m!.vmHwmKiB, vmRssKiB: m!.vmRssKiB },
        };
      }
      rows.push(makeRow({
        id: `rss.${transport}`,
        section:
          "Peak memory (VmHWM of the server process, all its threads; linter subprocesses not included)",
        label: transport === "stdio" ? "after the stdio runs above" : "after the HTTP runs above",
        unit: "MiB",
        better: "lower",
        cells,
      }));
    }

    // The sandbox worker's hop.
    say(`worker hop: ${PLAN.hopCalls} listings direct and through the worker`);
    hop = await measureWorkerHop(root);

    // The whole project in one call (scripts/bench/project.ts): ours against flake8, ruff and rg.
    const projectBase = path.join(TMP_DIR, `project-${Deno.pid}`);
    try {
      // A quick run is a smoke test: a tenth of the fixture, one run each.
      project = await measureProject(
        projectBase,
        QUICK ? 1 : 5,
        say,
        QUICK ? { pythonFiles: 100, treeFiles: 1000 } : undefined,
      );
    } finally {
      await Deno.remove(projectBase, { recursive: true }).catch(() => {});
    }

    // search_code against rg, cold and warm (scripts/bench/search.ts).
    const searchBase = path.join(TMP_DIR, `search-${Deno.pid}`);
    try {
      search = await measureSearch(
        searchBase,
        QUICK ? 1 : 5,
        QUICK ? 5 : 30,
        say,
        QUICK ? 1_000 : 10_000,
      );
    } finally {
      await Deno.remove(searchBase, { recursive: true }).catch(() => {});
    }

    // Git review (issue 9): review_changes and get_diff against native git on 5,000 files.
    gitBench = await measureGitReview(path.join(fixtureBase, "git"), QUICK ? 3 : 30, say);
    // Cost against history (issue 18): the same change on a tenth of the history.
    gitScaling = await measureGitScaling(
      path.join(fixtureBase, "git-scaling"),
      QUICK ? 3 : 15,
      say,
      QUICK ? 1_000 : HISTORY.commits,
    );

    // Both protocol eras (issue 12): cold start and HTTP throughput, with the v2 SDK baseline.
    eras = await measureEras(root, {
      coldStarts: QUICK ? 2 : 20,
      httpSeconds: PLAN.httpSeconds,
      concurrency: QUICK ? [4] : [1, 8, 32],
    }, say);
  } finally {
    await Deno.remove(fixtureBase, { recursive: true }).catch(() => {});
  }

  const row = (id: string) => rows.find((r) => r.id === id);
  const oursList = row("stdio.list_directory.100")!.cells.ours!.value;
  const hopMs = Math.max(0, hop.worker.median - hop.direct.median);
  const workerHop = {
    directMedianMs: hop.direct.median,
    workerMedianMs: hop.worker.median,
    pingMedianMs: hop.ping.median,
    hopMedianMs: ms(hopMs),
    oursListDirectoryMedianMs: oursList,
    hopShareOfCall: Math.round((hopMs / oursList) * 1000) / 1000,
  };

  const targets = [
    ...evaluateTargets(rows, workerHop.hopShareOfCall, workerHop),
    ...(project?.targets ?? []),
    ...(search?.targets ?? []),
    ...historyTargets(gitBench?.history),
    ...scalingTargets(gitScaling),
  ];
  const durationSeconds = Math.round((performance.now() - started) / 100) / 10;
  const results: Results & { git?: GitBenchResult; gitScaling?: GitScalingResult } = {
    schema: 1,
    mode: QUICK ? "quick" : "full",
    startedAt,
    durationSeconds,
    machine: await machine(wrk),
    versions: { ...versions, "code-review-mcp": "this checkout" },
    plan: { ...PLAN, httpConcurrency: [...HTTP_CONCURRENCY], notes: httpNotes },
    servers: Object.fromEntries(SERVER_IDS.map((id) => {
      const s = specs.find((x) => x.id === id)!;
      const st = s.stdio(root);
      const h = s.http?.(root, 0);
      return [id, {
        label: SERVER_LABELS[id],
        stdio: [st.cmd, ...st.args].join(" ").replaceAll(root, "<fixture>").replaceAll(
          APP_DIR,
          "<checkout>",
        ),
        http: h
          ? [h.cmd, ...h.args].join(" ").replaceAll(root, "<fixture>").replaceAll(
            APP_DIR,
            "<checkout>",
          )
          : null,
      }];
    })) as Results["servers"],
    rows,
    workerHop,
    targets,
    ...(project ? { project } : {}),
    ...(search ? { search } : {}),
    ...(gitBench ? { git: gitBench } : {}),
    ...(gitScaling ? { gitScaling } : {}),
    ...(eras ? { eras } : {}),
  };
  await Deno.mkdir(OUT_DIR, { recursive: true });
  await Deno.writeTextFile(
    path.join(OUT_DIR, "results.json"),
    JSON.stringify(results, null, 2) + "\n",
  );
  const sections = (project ? projectMarkdown(project) : "") +
    (search ? searchMarkdown(search) : "") +
    (gitBench ? gitMarkdown(gitBench) : "") + (gitScaling ? scalingMarkdown(gitScaling) : "") +
    (eras ? erasMarkdown(eras) : "");
  await Deno.writeTextFile(path.join(OUT_DIR, "results.md"), toMarkdown(results) + sections);
  if (!QUICK && flags.values.out === undefined) await updateReadme(results);
  console.log(toText(results) + sections);
  say(`wrote ${path.join(OUT_DIR, "results.json")} and results.md in ${durationSeconds} s`);
}

/** Cost grows with the change, not the history (issue 18): the worst row, long / short. */
function scalingTargets(s: GitScalingResult | undefined): Target[] {
  if (s === undefined) return [];
  const worst = worstScaling(s);
  return [{
    name: "git: cost against history",
    goal:
      `${SCALE}× the history (${s.commits.short} → ${s.commits.long} commits), the same change: every git call warm ≤ ${SCALING_GOAL}× (long / short)`,
    measured: `worst ${worst.ratio}× (${worst.ours}); ` +
      s.rows.map((r) => `${r.ours} ${r.ratio}×`).join(", "),
    met: worst.ratio <= SCALING_GOAL,
  }];
}

/** The git goals on the generated history (issue 18), one target per call, for the targets table. */
function historyTargets(h: GitBenchResult["history"]): Target[] {
  if (h === undefined) return [];
  return h.rows.map((r) => ({
    name: `git: ${r.ours}`,
    goal:
      `≤ ${r.goal.warm}× ${r.native} warm, ≤ ${r.goal.cold}× on the first call (${h.commits} commits, ${h.files} files, packed)`,
    measured: `warm ${r.warmRatio}×, first ${r.coldRatio}×`,
    met: r.warmRatio <= r.goal.warm && r.coldRatio <= r.goal.cold,
  }));
}

/** The footprint rows (see scripts/bench/footprint.ts) and the client entries' start-up. */
async function footprintRows(rows: Row[], root: string): Promise<void> {
  const fp = await measureFootprint(oursSpec, sdkSpec, root, PLAN.footprintRuns);
  const section = "Footprint of one stdio session (VmHWM: peak of the process, all its threads)";
  const kib = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);
  rows.push(makeRow({
    id: "footprint.no_ruff",
    section,
    label: "a session that never lints Python: list 10 000, read 1 MiB, flake8",
    unit: "MiB",
    better: "lower",
    cells: {
      ours: { value: medianMiB(kib(fp.ours.map((s) => s.withoutRuffKiB))) },
      sdk: { value: medianMiB(kib(fp.sdk.map((s) => s.withoutRuffKiB))) },
    },
    note: "(the SDK baseline lists folders only: it has no read_file or linter)",
  }));
  rows.push(
    makeRow({
      id: "footprint.ruff",
      section,
      label: "the same session, then ruff on six Python files",
      unit: "MiB",
      better: "lower",
      cells: { ours: { value: medianMiB(kib(fp.ours.map((s) => s.withRuffKiB))) } },
    }),
  );
  rows.push(makeRow({
    id: "footprint.released",
    section,
    label:
      `current memory (VmRSS) once the ruff engine is released (--ruff-idle-ms ${FOOTPRINT_RUFF_IDLE_MS})`,
    unit: "MiB",
    better: "lower",
    cells: { ours: { value: medianMiB(kib(fp.ours.map((s) => s.afterReleaseKiB))) } },
  }));
  const first = summarize(kib(fp.ours.map((s) => s.firstRuffMs)));
  rows.push(
    makeRow({
      id: "footprint.first_ruff",
      section,
      label: "first ruff answer of a fresh process (engine loaded on demand)",
      unit: "ms",
      better: "lower",
      cells: { ours: { value: first.median, summary: first } },
    }),
  );

  say(`config entries: ${PLAN.entryRuns} starts each, through npx and with --no-npx`);
  const entries = await measureEntries(root, PLAN.entryRuns, PLAN.entryWarmups);
  const es = "Client entries printed by `config` (spawn of the exact command → initialize result)";
  rows.push(
    makeRow({
      id: "entry.npx",
      section: es,
      label: "`npx -y deno@2.9.6 run …` (the default entry)",
      unit: "ms",
      better: "lower",
      cells: { ours: { value: entries.npx.summary.median, summary: entries.npx.summary } },
    }),
  );
  rows.push(
    makeRow({
      id: "entry.direct",
      section: es,
      label: "`/path/to/deno run …` (`config --no-npx`)",
      unit: "ms",
      better: "lower",
      cells: { ours: { value: entries.direct.summary.median, summary: entries.direct.summary } },
    }),
  );
}

const RESULTS_START = "<!-- bench-results:start -->";
const RESULTS_END = "<!-- bench-results:end -->";
const TARGETS_START = "<!-- bench-targets:start -->";
const TARGETS_END = "<!-- bench-targets:end -->";

/** Replaces what stands between `start` and `end` in `file`; says so when the markers are missing. */
async function replaceBetween(
  file: string,
  start: string,
  end: string,
  body: string,
): Promise<void> {
  const text = await Deno.readTextFile(file);
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    say(`${path.relative(APP_DIR, file)} has no ${start} markers; left as it is`);
    return;
  }
  const block =
    `${start}\n<!-- generated by \`deno task bench\`; do not edit -->\n\n${body.trim()}\n\n${end}`;
  await Deno.writeTextFile(file, text.slice(0, a) + block + text.slice(b + end.length));
}

/**
 * A full run replaces the performance tables it owns: the whole headline in docs/benchmarks.md
 * and the targets table in the README, so neither states a number the run did not measure.
 */
async function updateReadme(res: Results): Promise<void> {
  await replaceBetween(
    path.join(APP_DIR, "docs", "benchmarks.md"),
    RESULTS_START,
    RESULTS_END,
    headline(res),
  );
  await replaceBetween(
    path.join(APP_DIR, "README.md"),
    TARGETS_START,
    TARGETS_END,
    targetsTable(res),
  );
}

function evaluateTargets(rows: Row[], hopShare: number, hop: Record<string, number>): Target[] {
  const cell = (id: string, sid: ServerId) => rows.find((r) => r.id === id)?.cells[sid] ?? null;
  const ratio = (id: string, b: BaselineId) => rows.find((r) => r.id === id)?.ratios[b] ?? null;
  const out: Target[] = [];
  const cold = ratio("cold_start.total", "filesystem");
  out.push({
    name: "cold start",
    goal: "≤ 0.5× the official filesystem server (median)",
    measured: cold === null
      ? "n/a"
      : `${cold.toFixed(2)}× (${cell("cold_start.total", "ours")?.value} ms vs ${
        cell("cold_start.total", "filesystem")?.value
      } ms)`,
    met: cold === null ? null : cold <= 0.5,
  });
  const lsSdk = ratio("stdio.list_directory.100", "sdk");
  const lsFloor = ratio("stdio.list_directory.100", "floor");
  out.push({
    name: "list_directory latency",
    goal: "≤ 1× the Node SDK baseline and ≤ 1.5× the floor (median, 100 entries)",
    measured: `${lsSdk?.toFixed(2)}× SDK, ${lsFloor?.toFixed(2)}× floor`,
    met: lsSdk === null || lsFloor === null ? null : lsSdk <= 1 && lsFloor <= 1.5,
  });
  const http = [1, 8, 32].map((c) => ratio(`http.c${c}.rps`, "sdk"));
  out.push({
    name: "HTTP throughput",
    goal: "≥ 2× the Node SDK's stateless baseline (at 1, 8 and 32 clients)",
    measured: http.every((r) => r === null)
      ? "not measured (no HTTP transport)"
      : http.map((r, i) => `${[1, 8, 32][i]}: ${r?.toFixed(2) ?? "n/a"}×`).join(", "),
    met: http.some((r) => r === null) ? null : http.every((r) => r! >= 2),
  });
  const noRuff = ratio("footprint.no_ruff", "sdk");
  out.push({
    name: "memory without ruff",
    goal: "a session that never lints Python peaks at ≤ 1× the Node SDK baseline",
    measured: noRuff === null
      ? "n/a"
      : `${noRuff.toFixed(2)}× (${cell("footprint.no_ruff", "ours")?.value} MiB vs ${
        cell("footprint.no_ruff", "sdk")?.value
      } MiB)`,
    met: noRuff === null ? null : noRuff <= 1,
  });
  const firstRuff = cell("footprint.first_ruff", "ours")?.value ?? null;
  out.push({
    name: "first ruff answer",
    goal: "< 1000 ms after a cold start (the engine loads on the first Python lint)",
    measured: firstRuff === null ? "n/a" : `${firstRuff.toFixed(0)} ms (median)`,
    met: firstRuff === null ? null : firstRuff < 1000,
  });
  const npx = cell("entry.npx", "ours")?.value ?? null;
  const direct = cell("entry.direct", "ours")?.value ?? null;
  if (npx !== null && direct !== null) {
    out.push({
      name: "config entry start-up",
      goal:
        "npx in front of Deno costs no more than the server itself, or an entry without it is offered",
      measured: `npx entry ${npx.toFixed(0)} ms, --no-npx entry ${direct.toFixed(0)} ms: npx adds ${
        (npx - direct).toFixed(0)
      } ms`,
      met: npx - direct <= direct || direct < npx,
    });
  }
  const rssStdio = ratio("rss.stdio", "sdk");
  const rssHttp = ratio("rss.http", "sdk");
  out.push({
    name: "peak RSS",
    goal: "≤ 1× the Node SDK baseline",
    measured: `stdio ${rssStdio?.toFixed(2) ?? "n/a"}×${
      rssHttp !== null ? `, HTTP ${rssHttp.toFixed(2)}×` : ""
    }`,
    met: rssStdio === null ? null : rssStdio <= 1 && (rssHttp === null || rssHttp <= 1),
  });
  out.push({
    name: "sandbox worker hop",
    goal: "< 10% of a list_directory call",
    measured: `${
      (hopShare * 100).toFixed(1)
    }% (${hop.hopMedianMs} ms of ${hop.oursListDirectoryMedianMs} ms)`,
    met: hopShare < 0.1,
  });
  return out;
}

/** `--soak`: the long mixed HTTP load of scripts/bench/soak.ts; writes soak.json and soak.md. */
async function soakOnly(): Promise<void> {
  const minutes = Number(flags.values["soak-minutes"] ?? 10);
  const clients = Number(flags.values["soak-clients"] ?? 32);
  if (!Number.isInteger(minutes) || minutes < 3) {
    throw new Error("--soak-minutes: an integer of at least 3");
  }
  if (!Number.isInteger(clients) || clients < 1) {
    throw new Error("--soak-clients: a positive integer");
  }
  const when = new Date().toISOString();
  const redis = flags.values.redis === true;
  const result = await runSoak({ minutes, clients, tmpDir: TMP_DIR, say, redis });
  // A shortened run is a smoke test: it goes under bench/tmp/ unless --out says otherwise.
  const dir = flags.values.out !== undefined
    ? OUT_DIR
    : minutes === 10 && clients === 32
    ? path.join(APP_DIR, "bench")
    : path.join(TMP_DIR, "soak");
  await Deno.mkdir(dir, { recursive: true });
  const name = redis ? "soak_redis" : "soak";
  await Deno.writeTextFile(
    path.join(dir, `${name}.json`),
    JSON.stringify({ startedAt: when, ...result }, null, 2) + "\n",
  );
  await Deno.writeTextFile(path.join(dir, `${name}.md`), soakMarkdown(result, when));
  console.log(soakMarkdown(result, when));
  say(`wrote ${path.join(dir, `${name}.json`)} and ${name}.md`);
  if (!result.passed) Deno.exit(1);
}

if (import.meta.main) {
  await (flags.values.soak ? soakOnly() : flags.values.search
    ? searchOnly(
      OUT_DIR,
      QUICK,
      say,
      flags.values["search-root"] === undefined ? undefined : {
        root: flags.values["search-root"],
        literal: flags.values["search-literal"] ?? "import",
        regex: flags.values["search-regex"] ?? "def \\w+\\(",
      },
    )
    : flags.values.project
    ? projectOnly(OUT_DIR, QUICK, say)
    : main());
}
