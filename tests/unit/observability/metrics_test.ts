import { assert, assertEquals, assertMatch } from "../../assert.ts";
import { MAX_SUBJECT_LABELS, Metrics } from "../../../src/observability/metrics.ts";

Deno.test("Metrics renders tool histograms, outcomes, HTTP statuses and sourced counters", async () => {
  const m = new Metrics({
    github: () => ({ hits: 3, misses: 2, revalidations: 1, entries: 2, bytes: 10 }),
    sessions: () => 4,
    workerStarts: () => 1,
    linterQueue: () => ({ running: 2, waiting: 5 }),
    tools: ["read_file"],
  });
  m.recordToolCall({
    tool: "read_file",
    durationMs: 12,
    outcome: "ok",
    requestId: "r",
    subject: "alice",
  });
  m.recordToolCall({ tool: "read_file", durationMs: 300, outcome: "refused", requestId: "r" });
  m.recordHttp("POST", "/mcp", 200, 0.01);
  m.recordLinter("flake8", 0.4);
  const { body, contentType } = await m.render();
  assertMatch(contentType, /^text\/plain; version=0\.0\.4/);
  for (
    const line of [
      'mcp_tool_call_duration_seconds_bucket{le="0.025",tool="read_file"} 1',
      'mcp_tool_call_duration_seconds_bucket{le="0.5",tool="read_file"} 2',
      'mcp_tool_calls_total{tool="read_file",outcome="ok"} 1',
      'mcp_tool_errors_total{tool="read_file"} 1',
      'mcp_subject_tool_calls_total{subject="alice"} 1',
      'mcp_http_requests_total{method="POST",route="/mcp",status="200"} 1',
      'mcp_linter_duration_seconds_count{linter="flake8"} 1',
      "mcp_github_cache_hits_total 3",
      "mcp_github_cache_misses_total 2",
      "mcp_sessions_open 4",
      'mcp_linter_queue{state="waiting"} 5',
      "mcp_sandbox_worker_starts_total 1",
    ]
  ) assert(body.includes(line), line);
  const again = await m.render();
  assert(
    again.body.includes("mcp_github_cache_hits_total 3"),
    "sourced counters are not added up twice",
  );
});

Deno.test("Metrics gives at most MAX_SUBJECT_LABELS subjects their own label", async () => {
  const m = new Metrics();
  for (let i = 0; i < MAX_SUBJECT_LABELS + 5; i++) {
    m.recordToolCall({ tool: "t", durationMs: 1, outcome: "ok", requestId: "r", subject: `s${i}` });
  }
  const { body } = await m.render();
  assertEquals(
    body.split("\n").filter((l) => l.startsWith("mcp_subject_tool_calls_total{")).length,
    MAX_SUBJECT_LABELS + 1,
  );
  assertMatch(body, /mcp_subject_tool_calls_total\{subject="other"\} 5/);
});
