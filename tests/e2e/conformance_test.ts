/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in
 * deno.json, run from Deno's cache: no network at test time) against our HTTP server as
 * the README runs it, at `--requirements 2026-07-28` and `--requirements 2025-11-25`.
 *
 * Every scenario that applies to a server with our tools must pass. The others exercise
 * fixture tools, prompts and resources that only a test server has (test_simple_text,
 * test://static-text, ...); each is listed below with the fixture it needs, and a
 * scenario the suite adds later fails this test until it is put in one list or the other.
 */
import * as path from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { makeProject } from "./harness.ts";
import { startHttpServer } from "./http_harness.ts";

const CONFORMANCE = "npm:@modelcontextprotocol/conformance@0.2.0-alpha.12";

interface Check {
  id: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
  errorMessage?: string;
}

interface Requirements {
  /** Scenarios that apply: every check passes, except those named in `untestable`. */
  applicable: string[];
  /** Checks inside an applicable scenario that only a fixture can exercise: check id -> fixture. */
  untestable: Record<string, string>;
  /** Warnings accepted, with why: check id -> reason. */
  warnings: Record<string, string>;
  /** Scenarios left out: scenario -> the fixture it needs. */
  leftOut: Record<string, string>;
}

const fixtureTool = (name: string) => `fixture tool ${name}`;

const TASKS =
  "the tasks extension (not scored for the revision) and its fixture tools greet, slow_compute, failing_job, confirm_delete";

const REQUIREMENTS: Record<"2026-07-28" | "2025-11-25", Requirements> = {
  "2026-07-28": {
    applicable: [
      "server-stateless",
      "tools-list",
      "resources-list",
      "prompts-list",
      "caching",
      "dns-rebinding-protection",
      "sep-2164-resource-not-found",
      "http-header-validation",
      "server-sse-multiple-streams",
      "input-required-result-unsupported-methods",
      "input-required-result-validate-input",
    ],
    untestable: {
      "sep-2575-server-rejects-undeclared-capability": fixtureTool("test_missing_capability"),
      "sep-2575-missing-capability-http-400": fixtureTool("test_missing_capability"),
      "sep-2575-http-server-no-independent-requests-on-stream": fixtureTool(
        "test_streaming_elicitation",
      ),
      "sep-2575-server-no-log-without-loglevel": fixtureTool("test_logging_tool"),
    },
    warnings: {
      "sep-2575-server-sends-tools-list-changed-on-subscription":
        "our lists are static: no list_changed to send",
      "sep-2575-server-sends-prompts-list-changed-on-subscription":
        "our lists are static: no list_changed to send",
    },
    leftOut: {
      "completion-complete": "fixture prompt test_prompt_with_arguments",
      "tools-call-simple-text": fixtureTool("test_simple_text"),
      "tools-call-image": fixtureTool("test_image_content"),
      "tools-call-audio": fixtureTool("test_audio_content"),
      "tools-call-embedded-resource": fixtureTool("test_embedded_resource"),
      "tools-call-mixed-content": fixtureTool("test_multiple_content_types"),
      "tools-call-error": fixtureTool("test_error_handling"),
      "tools-call-with-progress": fixtureTool("test_tool_with_progress"),
      "resources-read-text": "fixture resource test://static-text",
      "resources-read-binary": "fixture resource test://static-binary",
      "resources-templates-read": "fixture resource template test://template/{id}/data",
      "prompts-get-simple": "fixture prompt test_simple_prompt",
      "prompts-get-with-args": "fixture prompt test_prompt_with_arguments",
      "prompts-get-embedded-resource": "fixture prompt test_prompt_with_embedded_resource",
      "prompts-get-with-image": "fixture prompt test_prompt_with_image",
      "input-required-result-basic-elicitation": fixtureTool(
        "test_input_required_result_elicitation",
      ),
      "input-required-result-basic-sampling": fixtureTool("test_input_required_result_sampling"),
      "input-required-result-basic-list-roots": fixtureTool(
        "test_input_required_result_list_roots",
      ),
      "input-required-result-request-state": fixtureTool(
        "test_input_required_result_request_state",
      ),
      "input-required-result-multiple-input-requests": fixtureTool(
        "test_input_required_result_multiple_inputs",
      ),
      "input-required-result-multi-round": fixtureTool("test_input_required_result_multi_round"),
      "input-required-result-missing-input-response": fixtureTool(
        "test_input_required_result_elicitation",
      ),
      "input-required-result-non-tool-request": "fixture prompt test_input_required_result_prompt",
      "input-required-result-result-type": fixtureTool("test_input_required_result_elicitation"),
      "input-required-result-tampered-state": fixtureTool(
        "test_input_required_result_request_state",
      ),
      "input-required-result-capability-check": fixtureTool(
        "test_input_required_result_capabilities",
      ),
      "input-required-result-ignore-extra-params": fixtureTool(
        "test_input_required_result_elicitation",
      ),
      "json-schema-2020-12": fixtureTool("json_schema_2020_12_tool") + " (pending, not scored)",
      "http-custom-header-server-validation":
        "a tool with x-mcp-header annotations (pending, not scored)",
      "tasks-lifecycle": TASKS,
      "tasks-capability-negotiation": TASKS,
      "tasks-wire-fields": TASKS,
      "tasks-request-state-removal": TASKS,
      "tasks-mrtr-input": TASKS,
      "tasks-request-headers": TASKS,
      "tasks-dispatch-and-envelope": TASKS,
      "tasks-status-notifications": TASKS,
      "tasks-required-task-error": TASKS,
      "tasks-mrtr-composition": TASKS,
    },
  },
  "2025-11-25": {
    applicable: [
      "server-initialize",
      "ping",
      "logging-set-level",
      "tools-list",
      "resources-list",
      "prompts-list",
      "dns-rebinding-protection",
      "server-session-lifecycle",
    ],
    untestable: {},
    warnings: {},
    leftOut: {
      // The issue listed tools-call-error as applicable; the suite calls a fixture tool for it.
      "tools-call-error": fixtureTool("test_error_handling"),
      "completion-complete": "fixture prompt test_prompt_with_arguments",
      "tools-call-simple-text": fixtureTool("test_simple_text"),
      "tools-call-image": fixtureTool("test_image_content"),
      "tools-call-audio": fixtureTool("test_audio_content"),
      "tools-call-embedded-resource": fixtureTool("test_embedded_resource"),
      "tools-call-mixed-content": fixtureTool("test_multiple_content_types"),
      "tools-call-with-logging": fixtureTool("test_tool_with_logging"),
      "tools-call-with-progress": fixtureTool("test_tool_with_progress"),
      "tools-call-sampling": fixtureTool("test_sampling"),
      "tools-call-elicitation": fixtureTool("test_elicitation"),
      "elicitation-sep1034-defaults": fixtureTool("test_elicitation_sep1034_defaults"),
      "elicitation-sep1330-enums": fixtureTool("test_elicitation_sep1330_enums"),
      "server-sse-multiple-streams":
        "a session with GET streams (--stateful); this run is against the default stateless server",
      "server-sse-polling": "a stateful session with resumable streams (pending, not scored)",
      "resources-read-text": "fixture resource test://static-text",
      "resources-read-binary": "fixture resource test://static-binary",
      "resources-templates-read": "fixture resource template test://template/{id}/data",
      "resources-subscribe": "resource subscriptions (our resources never change)",
      "resources-unsubscribe": "resource subscriptions (our resources never change)",
      "prompts-get-simple": "fixture prompt test_simple_prompt",
      "prompts-get-with-args": "fixture prompt test_prompt_with_arguments",
      "prompts-get-embedded-resource": "fixture prompt test_prompt_with_embedded_resource",
      "prompts-get-with-image": "fixture prompt test_prompt_with_image",
      "json-schema-2020-12": fixtureTool("json_schema_2020_12_tool") + " (pending, not scored)",
    },
  },
};

/** Runs one requirement set; returns each scenario's checks. */
async function runSuite(url: URL, revision: string, outDir: string): Promise<Map<string, Check[]>> {
  const out = await new Deno.Command(Deno.execPath(), {
    // --cached-only: the suite comes from Deno's cache (deno.lock pins it), never from the network.
    args: [
      "run",
      "-A",
      "--cached-only",
      CONFORMANCE,
      "server",
      "--url",
      url.href,
      "--requirements",
      revision,
      "-o",
      outDir,
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const results = new Map<string, Check[]>();
  for await (const e of Deno.readDir(outDir)) {
    const scenario = e.name.replace(/^server-/, "").replace(/-\d{4}-\d\d-\d\dT.*$/, "");
    results.set(
      scenario,
      JSON.parse(await Deno.readTextFile(path.join(outDir, e.name, "checks.json"))),
    );
  }
  assert(results.size > 0, `the conformance suite produced no results:\n${log}`);
  return results;
}

for (const revision of ["2026-07-28", "2025-11-25"] as const) {
  Deno.test(`official conformance suite, --requirements ${revision}: every scenario that applies to our server passes`, async (t) => {
    const req = REQUIREMENTS[revision];
    const project = await makeProject();
    const outDir = await Deno.makeTempDir({ prefix: "crm-conformance-" });
    const server = await startHttpServer(project.root);
    try {
      const results = await runSuite(server.mcpUrl, revision, outDir);

      await t.step(
        "every scenario the suite ran is judged here: applicable, or left out with its fixture",
        () => {
          const judged = new Set([...req.applicable, ...Object.keys(req.leftOut)]);
          const unjudged = [...results.keys()].filter((s) => !judged.has(s));
          assertEquals(
            unjudged,
            [],
            "new scenarios: add each to applicable or to leftOut with the fixture it needs",
          );
          const missing = req.applicable.filter((s) => !results.has(s));
          assertEquals(missing, [], "applicable scenarios the suite did not run");
        },
      );

      for (const scenario of req.applicable) {
        await t.step(scenario, () => {
          const checks = results.get(scenario) ?? [];
          assert(checks.length > 0, `${scenario}: no checks`);
          const bad = checks.filter((c) => {
            if (c.status === "SUCCESS" || c.status === "INFO" || c.status === "SKIPPED") {
              return false;
            }
            if (c.status === "FAILURE" && c.id in req.untestable) {
              return !/not testable/i.test(c.errorMessage ?? "");
            }
            if (c.status === "WARNING" && c.id in req.warnings) return false;
            return true;
          });
          assertEquals(
            bad.map((c) => `${c.id}: ${c.status} ${c.errorMessage ?? ""}`),
            [],
            scenario,
          );
        });
      }
    } finally {
      await server.stop();
      await Deno.remove(outDir, { recursive: true });
      await project.cleanup();
    }
  });
}
