/**
 * `deno task bench --soak`: the server under a long mixed load, to show it does not wear
 * down. 32 concurrent HTTP clients (stateless, the README's HTTP flags) for 10 minutes call
 * every tool in turn (reads, listings, the tree, searches, file and project lints with ruff
 * and flake8, GitHub through a loopback fake, the git review tools) plus a resource and a
 * prompt. Passes with zero failed requests and a peak memory in the last minute within 10%
 * of the second minute's. `--soak-minutes N` (at least 3) and `--soak-clients N` shorten it.
 *
 * `--redis`: two replicas sharing a real redis-server (--redis-url), the clients spread over
 * both, and a probe that calls fetch_github_file 4 times a second on both replicas in turn
 * under a limit of 60 a minute: limits hold when its successes stay within 60 per minute for
 * the deployment (per-replica limits would let through twice as many). fetch_github_file
 * leaves the load's mix, so the load itself never meets a limit.
 */
import * as path from "node:path";
import { APP_DIR } from "../../tests/e2e/harness.ts";
import { freePort, httpServerArgs } from "../../tests/e2e/http_harness.ts";
import { FAKE_OWNER, FAKE_REPO, startFakeGitHub } from "../../tests/fixtures/fake_github.ts";
import { git } from "../../tests/fixtures/git_repo.ts";
import { LINT_FILE, listDir, makeFixture, textFile } from "./fixture.ts";
import { memoryOf } from "./stdio_client.ts";
import { startRedis } from "../../tests/fixtures/redis.ts";

/** The probe's tool and its limit per minute, shared by the replicas in --redis mode. */
const PROBE_TOOL = "fetch_github_file";
const PROBE_LIMIT = 60;
const PROBE_EVERY_MS = 250;

export interface SoakOptions {
  minutes: number;
  clients: number;
  /** Where the fixture goes (removed afterwards). */
  tmpDir: string;
  say(s: string): void;
  /** Two replicas sharing a real Redis, with the limit probe. */
  redis?: boolean;
}

/** One request of the mix: a JSON-RPC method and its params. */
interface Call {
  label: string;
  method: string;
  params: Record<string, unknown>;
}

const tool = (label: string, name: string, args: Record<string, unknown>): Call => ({
  label,
  method: "tools/call",
  params: { name, arguments: args },
});

/** Every tool at least once, the heavy ones (project lint, project search) among them. */
export function soakMix(): Call[] {
  return [
    tool("list_directory", "list_directory", { dir_path: listDir(100) }),
    tool("list_directory 1000", "list_directory", { dir_path: listDir(1000) }),
    tool("list_directory tree", "list_directory", { dir_path: "src", depth: 3 }),
    tool("read_file", "read_file", { file_path: textFile("10k") }),
    tool("read_file range", "read_file", {
      file_path: textFile("1m"),
      start_line: 5000,
      end_line: 5200,
    }),
    tool("search_code", "search_code", { query: "compute(", path: "src" }),
    tool("search_code regex", "search_code", {
      query: "def [a-z_]+\\(",
      regex: true,
      glob: "**/*.py",
    }),
    tool("run_linter ruff", "run_linter", { file_path: LINT_FILE, linter: "ruff" }),
    tool("run_linter flake8", "run_linter", { file_path: LINT_FILE, linter: "flake8" }),
    tool("run_linter project ruff", "run_linter", { file_path: "src", linter: "ruff" }),
    tool("fetch_github_file", "fetch_github_file", {
      owner: FAKE_OWNER,
      repo: FAKE_REPO,
      path: "README.md",
    }),
    tool("review_changes", "review_changes", {}),
    tool("get_diff", "get_diff", {}),
    {
      label: "resources/read review rules",
      method: "resources/read",
      params: { uri: "config://review-rules" },
    },
    {
      label: "prompts/get security_review",
      method: "prompts/get",
      params: { name: "security_review", arguments: { file_path: LINT_FILE } },
    },
  ];
}

/** The fixture: the bench's folders and files, a Python package, in a git repository with changes. */
async function soakFixture(base: string): Promise<string> {
  const root = await makeFixture(base);
  // Not the 10 000-entry folder: the git tools' status walk still visits an ignored folder and
  // spends some 9 s there per call (1 s without it), which alone would time them out under load.
  await Deno.remove(path.join(root, listDir(10000)), { recursive: true });
  await Deno.mkdir(path.join(root, "src", "pkg"), { recursive: true });
  for (let i = 0; i < 40; i++) {
    await Deno.writeTextFile(
      path.join(root, "src", "pkg", `mod_${i}.py`),
      `import os\n\n\ndef handler_${i}(values, extra=[]):\n    total = compute(${i}, values)\n    return total + len(extra)\n`,
    );
  }
  await Deno.writeTextFile(path.join(root, ".gitignore"), "*.log\n");
  git(root, "init", "-q");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "fixture");
  await Deno.writeTextFile(
    path.join(root, "src", "pkg", "mod_0.py"),
    "import sys\n\n\ndef changed():\n    return sys.argv\n",
  );
  await Deno.writeTextFile(path.join(root, "src", "pkg", "new_module.py"), "x = 1\n");
  return root;
}

/** A stateless HTTP request; the answer as JSON (plain or the last SSE event), or an error string. */
async function post(
  url: string,
  call: Call,
  id: number,
): Promise<{ ok: true } | { ok: false; error: string }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-06-18",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id, method: call.method, params: call.params }),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (e) {
    return { ok: false, error: `network: ${(e as Error).message}` };
  }
  const text = await res.text();
  if (res.status !== 200) return { ok: false, error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
  const json = text.trimStart().startsWith("{")
    ? text
    : text.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).filter((
      l,
    ) => l.includes(`"id":${id}`)).at(-1) ?? "";
  let msg: {
    error?: { message: string };
    result?: { isError?: boolean; content?: { text?: string }[] };
  };
  try {
    msg = JSON.parse(json);
  } catch {
    return { ok: false, error: `unreadable answer: ${text.slice(0, 200)}` };
  }
  if (msg.error) return { ok: false, error: `JSON-RPC ${msg.error.message}` };
  if (msg.result?.isError) {
    return { ok: false, error: `tool error: ${msg.result.content?.[0]?.text?.slice(0, 200)}` };
  }
  return { ok: true };
}

export interface SoakResult {
  minutes: number;
  clients: number;
  requests: number;
  failed: number;
  /** The first few failures, for the report. */
  failures: string[];
  perCall: Record<string, { requests: number; failed: number; medianMs: number }>;
  /** Peak VmRSS (MiB) within each minute. */
  peakRssByMinuteMiB: number[];
  /** VmHWM (MiB) at the end: the peak of the whole run (the larger replica's with --redis). */
  peakMiB: number;
  /** last minute's peak / second minute's peak (the worse replica's with --redis). */
  growth: number;
  /** --redis: replicas, and the probe's calls, successes and the most the shared limit allows. */
  shared?: {
    replicas: number;
    probeCalls: number;
    probeOk: number;
    allowed: number;
    perReplicaWouldAllow: number;
  };
  passed: boolean;
}

/** Runs the soak; the server's flags are the README's HTTP flags with the loopback GitHub. */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  if (o.minutes < 3) {
    throw new Error("--soak-minutes: at least 3 (the second and the last minute are compared)");
  }
  const base = path.join(o.tmpDir, `soak-${Deno.pid}`);
  const root = await soakFixture(base);
  const fake = await startFakeGitHub();
  const redis = o.redis ? await startRedis() : undefined;
  const limits = "client=1000000,tool=1000000,run_linter=1000000," +
    `fetch_github_file=${o.redis ? PROBE_LIMIT : 1000000}`;
  const replicas = Array.from({ length: o.redis ? 2 : 1 }, () => {
    const port = freePort();
    const args = httpServerArgs(root, port, {
      fakeGitHub: { base: fake.base, net: `127.0.0.1:${fake.port}` },
      ...(redis ? { redisUrl: redis.url } : {}),
      // The load is the point: rate limits out of reach (each refusal would count as a failure).
      extraArgs: ["--rate-limits", limits],
    });
    const child = new Deno.Command(Deno.execPath(), {
      args,
      cwd: APP_DIR,
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1" },
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    return { port, child, url: `http://127.0.0.1:${port}/mcp` };
  });
  try {
    for (const { port } of replicas) {
      for (let i = 0;; i++) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/ready`);
          const body = await r.json();
          if (r.ok && (!redis || body.shared_state === "up")) break;
        } catch {
          // not listening yet
        }
        if (i > 300) throw new Error("the server did not become ready within 30 s");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const mix = soakMix().filter((c) => !redis || c.params.name !== PROBE_TOOL);
    // Every call once before the clock starts: a broken call fails the soak at once.
    for (const { url } of replicas) {
      for (const [i, c] of mix.entries()) {
        const r = await post(url, c, i + 1);
        if (!r.ok) throw new Error(`${c.label} fails before the soak: ${r.error}`);
      }
    }
    o.say(
      `soak: ${o.clients} clients for ${o.minutes} min, ${mix.length} kinds of request, ${replicas.length} replica(s)${
        redis ? " sharing Redis" : ""
      }`,
    );
    const started = performance.now();
    const end = started + o.minutes * 60_000;
    const samples: { t: number; rssKiB: number }[][] = replicas.map(() => []);
    const sampler = setInterval(() => {
      for (const [k, { child }] of replicas.entries()) {
        const m = memoryOf(child.pid);
        if (m) samples[k]!.push({ t: performance.now() - started, rssKiB: m.vmRssKiB });
      }
    }, 1_000);
    const perCall: Record<string, { requests: number; failed: number; ms: number[] }> = {};
    const failures: string[] = [];
    let requests = 0;
    let failed = 0;
    // The probe: the shared limit, called on both replicas in turn; 429s are expected.
    let probeCalls = 0;
    let probeOk = 0;
    const probe = redis
      ? (async () => {
        const call = soakMix().find((c) => c.params.name === PROBE_TOOL)!;
        for (let i = 0; performance.now() < end; i++) {
          const r = await post(replicas[i % replicas.length]!.url, call, 900_000 + i);
          probeCalls++;
          if (r.ok) probeOk++;
          else if (!/HTTP 429/.test(r.error)) {
            failed++;
            if (failures.length < 10) failures.push(`probe: ${r.error}`);
          }
          await new Promise((res) => setTimeout(res, PROBE_EVERY_MS));
        }
      })()
      : Promise.resolve();
    let nextId = 1000;
    const client = async (k: number) => {
      for (let i = k; performance.now() < end; i++) {
        const c = mix[i % mix.length]!;
        const t = performance.now();
        const r = await post(replicas[k % replicas.length]!.url, c, nextId++);
        const s = (perCall[c.label] ??= { requests: 0, failed: 0, ms: [] });
        s.requests++;
        s.ms.push(performance.now() - t);
        requests++;
        if (!r.ok) {
          failed++;
          s.failed++;
          if (failures.length < 10) failures.push(`${c.label}: ${r.error}`);
        }
      }
    };
    const progress = setInterval(
      () =>
        o.say(
          `soak: ${
            Math.round((performance.now() - started) / 1000)
          } s, ${requests} requests, ${failed} failed`,
        ),
      60_000,
    );
    await Promise.all([...Array.from({ length: o.clients }, (_, k) => client(k)), probe]);
    clearInterval(progress);
    clearInterval(sampler);
    const peakMiB = Math.max(...replicas.map(({ child }) => memoryOf(child.pid)?.vmHwmKiB ?? 0)) /
      1024;
    // Per replica: peak VmRSS in each minute; the report shows the replica that grew most.
    const perReplica = samples.map((rs) => {
      const byMinute: number[] = [];
      for (const s of rs) {
        const m = Math.min(Math.floor(s.t / 60_000), o.minutes - 1);
        byMinute[m] = Math.max(byMinute[m] ?? 0, s.rssKiB / 1024);
      }
      return { byMinute, growth: (byMinute[o.minutes - 1] ?? NaN) / (byMinute[1] ?? NaN) };
    }).sort((a, b) => b.growth - a.growth);
    const { byMinute, growth } = perReplica[0]!;
    const round = (x: number) => Math.round(x * 10) / 10;
    // A fixed window per key starts at its first call: over N minutes at most N + 1 windows.
    const allowed = PROBE_LIMIT * (o.minutes + 1);
    const shared = redis
      ? {
        replicas: replicas.length,
        probeCalls,
        probeOk,
        allowed,
        perReplicaWouldAllow: Math.min(probeCalls, allowed * replicas.length),
      }
      : undefined;
    return {
      minutes: o.minutes,
      clients: o.clients,
      requests,
      failed,
      failures,
      perCall: Object.fromEntries(
        Object.entries(perCall).map(([k, v]) => {
          const sorted = [...v.ms].sort((a, b) => a - b);
          return [k, {
            requests: v.requests,
            failed: v.failed,
            medianMs: round(sorted[sorted.length >> 1] ?? 0),
          }];
        }),
      ),
      peakRssByMinuteMiB: byMinute.map(round),
      peakMiB: round(peakMiB),
      growth: Math.round(growth * 1000) / 1000,
      ...(shared ? { shared } : {}),
      passed: failed === 0 && growth <= 1.1 &&
        (shared === undefined || (shared.probeOk > 0 && shared.probeOk <= shared.allowed)),
    };
  } finally {
    for (const { child } of replicas) {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
    }
    await redis?.stop();
    await fake.close();
    await Deno.remove(base, { recursive: true }).catch(() => {});
  }
}

/** The soak's report as markdown. */
export function soakMarkdown(r: SoakResult, when: string): string {
  const lines = [
    "<!-- generated by `deno task bench --soak`; do not edit -->",
    "",
    `Soak run of ${when}: ${r.clients} concurrent HTTP clients (stateless) for ${r.minutes} minutes, every tool in turn${
      r.shared ? `, over ${r.shared.replicas} replicas sharing a real Redis` : ""
    }.`,
    "",
    "| measure | value | goal | met |",
    "| --- | ---: | --- | --- |",
    `| requests (failed) | ${r.requests} (${r.failed}) | zero failed | ${
      r.failed === 0 ? "yes" : "**no**"
    } |`,
    `| peak VmRSS, second minute → last minute (MiB) | ${r.peakRssByMinuteMiB[1]} → ${
      r.peakRssByMinuteMiB.at(-1)
    } (${r.growth.toFixed(3)}×) | ≤ 1.10× | ${r.growth <= 1.1 ? "yes" : "**no**"} |`,
    `| peak of the whole run (VmHWM, MiB) | ${r.peakMiB} | — | — |`,
    ...(r.shared
      ? [
        `| ${PROBE_TOOL} limit probe: calls → answered (at most ${PROBE_LIMIT}/min for the deployment) | ${r.shared.probeCalls} → ${r.shared.probeOk} | ≤ ${r.shared.allowed} (per-replica limits would allow ${r.shared.perReplicaWouldAllow}) | ${
          r.shared.probeOk > 0 && r.shared.probeOk <= r.shared.allowed ? "yes" : "**no**"
        } |`,
      ]
      : []),
    "",
    `Peak VmRSS per minute (MiB): ${r.peakRssByMinuteMiB.join(", ")}.`,
    "",
    "| request | count | failed | median (ms) |",
    "| --- | ---: | ---: | ---: |",
    ...Object.entries(r.perCall).map(([k, v]) =>
      `| ${k} | ${v.requests} | ${v.failed} | ${v.medianMs} |`
    ),
    ...(r.failures.length > 0
      ? ["", "First failures:", "", ...r.failures.map((f) => `- ${f}`)]
      : []),
    "",
  ];
  return lines.join("\n");
}
