/**
 * Both protocol eras, measured the same way for each server: cold start over stdio (a
 * 2025 client: spawn, initialize, initialized, tools/list; a 2026-07-28 client: spawn,
 * server/discover, tools/list, no handshake) and stateless HTTP throughput of one
 * list_directory call (a 2025 POST; a 2026 POST with its `_meta` envelope and the
 * MCP-Protocol-Version, Mcp-Method and Mcp-Name headers). Servers: ours, the v1 SDK
 * baseline (2025 only: v1 does not speak 2026-07-28) and the v2 SDK baseline
 * (bench/baselines/sdk_v2_server.mjs, @modelcontextprotocol/server 2.4.0) beside it.
 */
import * as path from "node:path";
import { listDir } from "./fixture.ts";
import { runWrk, writeLuaScript } from "./http_load.ts";
import { oursSpec, sdkSpec, type ServerSpec, TMP_DIR } from "./servers.ts";
import { summarize, type Summary } from "./stats.ts";
import { INITIALIZE_PARAMS, type Spawn, StdioRpc } from "./stdio_client.ts";

export type Era = "2025" | "2026";
export const MODERN = "2026-07-28";
const LEGACY_HEADER = "2025-06-18";

const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

interface EraServer {
  id: "ours" | "sdk" | "sdk_v2";
  label: string;
  eras: readonly Era[];
  stdio(root: string): Spawn;
  http(root: string, port: number): Spawn & { url: string };
}

const INSTALL_DIR = path.join(TMP_DIR, "baselines");
const v2 = (args: string[]): Spawn => ({
  cmd: "node",
  args: [path.join(INSTALL_DIR, "sdk_v2_server.mjs"), ...args],
  cwd: INSTALL_DIR,
  env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1" },
});

function fromSpec(
  spec: ServerSpec,
  id: EraServer["id"],
  label: string,
  eras: readonly Era[],
): EraServer {
  return {
    id,
    label,
    eras,
    stdio: (root) => spec.stdio(root),
    http: (root, port) => spec.http!(root, port),
  };
}

export const ERA_SERVERS: readonly EraServer[] = [
  fromSpec(oursSpec, "ours", "code-review-mcp (Deno, SDK v2)", ["2025", "2026"]),
  fromSpec(sdkSpec, "sdk", "Node SDK v1 baseline (1.32.2)", ["2025"]),
  {
    id: "sdk_v2",
    label: "Node SDK v2 baseline (2.4.0)",
    eras: ["2025", "2026"],
    stdio: (root) => v2([root]),
    http: (root, port) => ({
      ...v2([root, "--http", String(port)]),
      url: `http://127.0.0.1:${port}/mcp`,
    }),
  },
];

export interface ErasPlan {
  coldStarts: number;
  httpSeconds: number;
  concurrency: readonly number[];
}

export interface EraCold {
  server: EraServer["id"];
  era: Era;
  /** Spawn to the tools/list answer, ms. */
  toolsList: Summary;
}

export interface EraHttp {
  server: EraServer["id"];
  era: Era;
  connections: number;
  requestsPerSecond: number;
  errors: number;
}

export interface ErasResults {
  servers: Record<string, string>;
  cold: EraCold[];
  http: EraHttp[];
}

const meta = (era: Era) => (era === "2026" ? { _meta: ENVELOPE } : {});

async function coldStart(s: EraServer, era: Era, root: string): Promise<number> {
  const t0 = performance.now();
  const c = new StdioRpc(s.stdio(root));
  try {
    if (era === "2025") {
      const init = await c.request("initialize", INITIALIZE_PARAMS, 30_000);
      if (init.msg.error) throw new Error(`${s.id}: initialize failed: ${init.msg.error.message}`);
      await c.notify("notifications/initialized");
    } else {
      const discover = await c.request("server/discover", meta(era), 30_000);
      if (discover.msg.error) {
        throw new Error(`${s.id}: server/discover failed: ${discover.msg.error.message}`);
      }
    }
    const list = await c.request("tools/list", meta(era), 30_000);
    const tools = (list.msg.result as { tools?: unknown[] } | undefined)?.tools;
    if (!Array.isArray(tools) || tools.length === 0) {
      throw new Error(`${s.id} (${era}): tools/list returned no tools`);
    }
    return list.at - t0;
  } finally {
    await c.close();
  }
}

function listBody(era: Era): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name: "list_directory", arguments: { dir_path: listDir(100) }, ...meta(era) },
  });
}

function eraHeaders(era: Era): Record<string, string> {
  return era === "2026"
    ? { "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "list_directory" }
    : { "MCP-Protocol-Version": LEGACY_HEADER };
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts the HTTP variant and waits until a 2025 and (when served) a 2026 call both answer. */
async function startHttp(
  s: EraServer,
  root: string,
): Promise<{ url: string; child: Deno.ChildProcess }> {
  const h = s.http(root, freePort());
  const child = new Deno.Command(h.cmd, {
    args: h.args,
    ...(h.cwd !== undefined ? { cwd: h.cwd } : {}),
    ...(h.env !== undefined ? { env: h.env } : {}),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  })
    .spawn();
  const deadline = performance.now() + 20_000;
  let last = "not started";
  while (performance.now() < deadline) {
    try {
      let ok = true;
      for (const era of s.eras) {
        const res = await fetch(h.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            ...eraHeaders(era),
          },
          body: listBody(era),
        });
        const text = await res.text();
        if (res.status !== 200 || !text.includes("entry_00099.py")) {
          ok = false;
          last = `${era}: ${res.status} ${text.slice(0, 200)}`;
        }
      }
      if (ok) return { url: h.url, child };
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  await child.status;
  throw new Error(`${s.id} over HTTP did not answer: ${last}`);
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // gone
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // gone
    }
  }, 3000);
  await child.status;
  clearTimeout(timer);
}

export async function measureEras(
  root: string,
  plan: ErasPlan,
  say: (s: string) => void,
): Promise<ErasResults> {
  const cold: EraCold[] = [];
  const http: EraHttp[] = [];
  const cells = ERA_SERVERS.flatMap((s) => s.eras.map((era) => ({ s, era })));

  say(`eras: cold starts, ${plan.coldStarts} per server and era, interleaved`);
  const samples = new Map(cells.map(({ s, era }) => [`${s.id}/${era}`, [] as number[]]));
  for (const { s, era } of cells) await coldStart(s, era, root); // warm the file cache
  for (let i = 0; i < plan.coldStarts; i++) {
    for (let k = 0; k < cells.length; k++) {
      const { s, era } = cells[(i + k) % cells.length]!;
      samples.get(`${s.id}/${era}`)!.push(await coldStart(s, era, root));
    }
  }
  for (const { s, era } of cells) {
    cold.push({ server: s.id, era, toolsList: summarize(samples.get(`${s.id}/${era}`)!) });
  }

  const scriptDir = await Deno.makeTempDir({ dir: TMP_DIR, prefix: "eras-" });
  try {
    for (const s of ERA_SERVERS) {
      say(`eras: HTTP throughput of ${s.id} (${s.eras.join(", ")})`);
      const server = await startHttp(s, root);
      try {
        for (const era of s.eras) {
          const script = await writeLuaScript(
            scriptDir,
            `${s.id}-${era}`,
            listBody(era),
            "entry_00099.py",
            eraHeaders(era),
          );
          for (const connections of plan.concurrency) {
            const run = await runWrk(server.url, script, connections, plan.httpSeconds);
            http.push({
              server: s.id,
              era,
              connections,
              requestsPerSecond: Math.round(run.requests / (run.durationUs / 1e6)),
              errors: run.errors,
            });
          }
        }
      } finally {
        await stop(server.child);
      }
    }
  } finally {
    await Deno.remove(scriptDir, { recursive: true }).catch(() => {});
  }
  return { servers: Object.fromEntries(ERA_SERVERS.map((s) => [s.id, s.label])), cold, http };
}

/** The section of results.md. */
export function erasMarkdown(r: ErasResults): string {
  const label = (id: string) => r.servers[id] ?? id;
  const lines = [
    "",
    "## Both protocol eras (2025-11-25 with initialize; 2026-07-28 stateless)",
    "",
    "Cold start over stdio: spawn to the tools/list answer (2025: initialize, initialized, tools/list;",
    "2026-07-28: server/discover, tools/list). Median and p95, ms.",
    "",
    "| server | era | median | p95 |",
    "|---|---|---:|---:|",
    ...r.cold.map((c) =>
      `| ${label(c.server)} | ${c.era} | ${c.toolsList.median.toFixed(1)} | ${
        c.toolsList.p95.toFixed(1)
      } |`
    ),
    "",
    "Stateless HTTP, list_directory of 100 entries: requests per second (errors), by concurrent connections.",
    "",
  ];
  const conns = [...new Set(r.http.map((h) => h.connections))];
  lines.push(
    `| server | era | ${conns.map((c) => `c=${c}`).join(" | ")} |`,
    `|---|---|${conns.map(() => "---:").join("|")}|`,
  );
  const keys = [...new Set(r.http.map((h) => `${h.server}/${h.era}`))];
  for (const key of keys) {
    const [server, era] = key.split("/") as [string, Era];
    const cellsOf = conns.map((c) => {
      const h = r.http.find((x) => x.server === server && x.era === era && x.connections === c);
      return h ? `${h.requestsPerSecond}${h.errors > 0 ? ` (${h.errors})` : ""}` : "";
    });
    lines.push(`| ${label(server)} | ${era} | ${cellsOf.join(" | ")} |`);
  }
  return lines.join("\n") + "\n";
}
