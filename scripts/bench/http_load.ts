/**
 * HTTP load with wrk: a C load generator on one thread, so on a two-core machine the
 * client takes as little CPU from the server as possible. Each run is bounded by
 * its duration and prints its latency histogram, so rounds can be merged exactly.
 */
import * as path from "node:path";
import type { Histogram } from "./stats.ts";

export interface WrkRun {
  requests: number;
  durationUs: number;
  /** Non-2xx answers plus socket errors and timeouts. */
  errors: number;
  histogram: Histogram;
}

const MARKER = "BENCH_JSON ";

/** The Lua script: POSTs one JSON-RPC body, then prints the stats as one JSON line. */
function luaScript(body: string): string {
  return `
wrk.method = "POST"
wrk.body = ${JSON.stringify(body)}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-06-18"
function done(summary, latency, requests)
  local parts = {}
  for i = 1, #latency do
    local v, c = latency(i)
    if c == nil then break end
    parts[#parts + 1] = "[" .. v .. "," .. c .. "]"
  end
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write("${MARKER}{\\"requests\\":" .. summary.requests .. ",\\"durationUs\\":" .. summary.duration ..
    ",\\"errors\\":" .. errors .. ",\\"histogram\\":[" .. table.concat(parts, ",") .. "]}\\n")
end
`;
}

export async function writeLuaScript(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, `${name}.lua`);
  await Deno.writeTextFile(file, luaScript(body));
  return file;
}

/** True when wrk is on PATH. */
export async function haveWrk(): Promise<string | null> {
  try {
    const out = await new Deno.Command("wrk", { args: ["--version"], stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return text.split("\n")[0]!.replace(/\s+Copyright.*/, "").trim() || "wrk";
  } catch {
    return null;
  }
}

/** One wrk run of `seconds` at `connections` concurrent connections (one in flight each). */
export async function runWrk(url: string, script: string, connections: number, seconds: number): Promise<WrkRun> {
  const out = await new Deno.Command("wrk", {
    args: ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "-s", script, url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const line = text.split("\n").find((l) => l.startsWith(MARKER));
  if (!out.success || !line) {
    throw new Error(`wrk failed (${out.code}): ${text}\n${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(line.slice(MARKER.length)) as WrkRun;
}
