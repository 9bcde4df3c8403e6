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
  /** Socket errors, timeouts, non-2xx answers and answers without the expected content. */
  errors: number;
  /** The first bad answer (status and start of the body), when there was one. */
  firstBad?: string;
  histogram: Histogram;
}

const MARKER = "BENCH_JSON ";

/**
 * The Lua script: POSTs one JSON-RPC body, counts answers that are not 200 with `expect` in
 * the body (a 429 or an isError result is not throughput), then prints the stats as one JSON
 * line. wrk runs response() and done() in different Lua states, so the count of bad answers
 * travels in a file.
 */
function luaScript(
  body: string,
  expect: string,
  badFile: string,
  headers: Record<string, string>,
): string {
  const extra = Object.entries(headers).map(([k, v]) =>
    `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`
  ).join("\n");
  return `
wrk.method = "POST"
wrk.body = ${JSON.stringify(body)}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
${extra}
local bad = 0
local sample = ""
function response(status, headers, body)
  if status ~= 200 or not string.find(body, ${
    JSON.stringify(expect)
  }, 1, true) or string.find(body, '"isError":true', 1, true) then
    bad = bad + 1
    if sample == "" then sample = status .. " " .. string.sub(body, 1, 200) end
    local f = io.open(${JSON.stringify(badFile)}, "w")
    f:write(bad .. "\\n" .. sample)
    f:close()
  end
end
function done(summary, latency, requests)
  local parts = {}
  for i = 1, #latency do
    local v, c = latency(i)
    if c == nil then break end
    parts[#parts + 1] = "[" .. v .. "," .. c .. "]"
  end
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  io.write("${MARKER}{\\"requests\\":" .. summary.requests .. ",\\"durationUs\\":" .. summary.duration ..
    ",\\"errors\\":" .. errors .. ",\\"histogram\\":[" .. table.concat(parts, ",") .. "]}\\n")
end
`;
}

export interface WrkScript {
  file: string;
  badFile: string;
}

/** Writes the Lua script for `body`, whose good answers contain `expect` (a 2025 request unless `headers` say otherwise). */
export async function writeLuaScript(
  dir: string,
  name: string,
  body: string,
  expect: string,
  headers: Record<string, string> = { "MCP-Protocol-Version": "2025-06-18" },
): Promise<WrkScript> {
  const file = path.join(dir, `${name}.lua`);
  const badFile = path.join(dir, `${name}.bad`);
  await Deno.writeTextFile(file, luaScript(body, expect, badFile, headers));
  return { file, badFile };
}

/** True when wrk is on PATH. */
export async function haveWrk(): Promise<string | null> {
  try {
    const out = await new Deno.Command("wrk", {
      args: ["--version"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return text.split("\n")[0]!.replace(/\s+Copyright.*/, "").trim() || "wrk";
  } catch {
    return null;
  }
}

/** One wrk run of `seconds` at `connections` concurrent connections (one in flight each). */
export async function runWrk(
  url: string,
  script: WrkScript,
  connections: number,
  seconds: number,
): Promise<WrkRun> {
  await Deno.remove(script.badFile).catch(() => {});
  const out = await new Deno.Command("wrk", {
    args: ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "-s", script.file, url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const line = text.split("\n").find((l) => l.startsWith(MARKER));
  if (!out.success || !line) {
    throw new Error(`wrk failed (${out.code}): ${text}\n${new TextDecoder().decode(out.stderr)}`);
  }
  const run = JSON.parse(line.slice(MARKER.length)) as WrkRun;
  const bad = await Deno.readTextFile(script.badFile).catch(() => "");
  if (bad !== "") {
    const [count, ...sample] = bad.split("\n");
    run.errors += Number(count);
    run.firstBad = sample.join("\n");
  }
  return run;
}
