/**
 * One pass over everything the server offers, for each HTTP configuration (stateless
 * or stateful, SSE or JSON answers): every tool, both resources, both prompts,
 * completion. The deep cases of each tool live in the stdio end-to-end test.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import type { CallToolResult } from "../../src/sdk.ts";
import type { Client } from "../sdk_client.ts";
import { assertEveryHostSeesPayload } from "../host_views.ts";
import {
  FAKE_FILES,
  FAKE_OWNER,
  FAKE_README_TEXT,
  FAKE_REF,
  FAKE_REPO,
} from "../fixtures/fake_github.ts";

export function textOf(r: unknown): string {
  return (r as CallToolResult).content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** Runs the pass as test steps; `root` is the project's real path. */
export async function exerciseEverything(
  t: Deno.TestContext,
  client: Client,
  root: string,
): Promise<void> {
  await t.step("tools/list offers the ten tools", async () => {
    const { tools } = await client.listTools();
    assertEquals(tools.map((x) => x.name).sort(), [
      "fetch_github_file",
      "find_references",
      "find_symbol",
      "get_diff",
      "list_directory",
      "outline",
      "read_file",
      "review_changes",
      "run_linter",
      "search_code",
    ]);
  });

  await t.step("list_directory and read_file work and refuse paths outside the root", async () => {
    const ls = await callTool(client, "list_directory", { dir_path: "." });
    assert(!ls.isError, textOf(ls));
    assert(textOf(ls).includes("src/"));
    assertEveryHostSeesPayload(ls, { facts: ["src"], conveyedOtherwise: ["type"] });
    const rf = await callTool(client, "read_file", {
      file_path: "docs/notes.md",
      start_line: 3,
      end_line: 4,
    });
    assertMatch(textOf(rf), /\n3\tLine 3\n4\tLine 4\n$/);
    assertEveryHostSeesPayload(rf, { textPayload: true, facts: ["3\tLine 3\n4\tLine 4\n"] });
    const out = await callTool(client, "read_file", { file_path: "../outside.txt" });
    assert(out.isError);
    assertMatch(textOf(out), /outside the project root/);
  });

  await t.step("run_linter runs the built-in ruff, flake8 and shellcheck", async () => {
    const ruff = await callTool(client, "run_linter", { file_path: "src/app.py" });
    assert(!ruff.isError, textOf(ruff));
    assert(
      (ruff.structuredContent as { diagnostics: { code: string }[] }).diagnostics.some((d) =>
        d.code === "F401"
      ),
    );
    assertEveryHostSeesPayload(ruff, { facts: ["F401"] });
    const flake8 = await callTool(client, "run_linter", {
      file_path: "src/app.py",
      linter: "flake8",
    });
    assert(!flake8.isError, textOf(flake8));
    assertEquals((flake8.structuredContent as { linter: string }).linter, "flake8");
    const sh = await callTool(client, "run_linter", { file_path: "scripts/dirty.sh" });
    assert(
      (sh.structuredContent as { diagnostics: { code: string }[] }).diagnostics.some((d) =>
        d.code === "SC2086"
      ),
    );
  });

  await t.step(
    'the whole project in one call: run_linter ".", search_code, list_directory with depth',
    async () => {
      const lint = await callTool(client, "run_linter", { file_path: "." });
      assert(!lint.isError, textOf(lint));
      const sc = lint.structuredContent as {
        files_checked: number;
        diagnostics: { file: string; code: string }[];
      };
      assert(sc.files_checked >= 5, textOf(lint));
      assert(sc.diagnostics.some((d) => d.file === "scripts/dirty.sh" && d.code === "SC2086"));
      assertEveryHostSeesPayload(lint, { facts: ["SC2086", "F401"] });
      const found = await callTool(client, "search_code", { query: "import", glob: "*.py" });
      assert(!found.isError, textOf(found));
      assert(
        (found.structuredContent as { matches: { file: string }[] }).matches.some((m) =>
          m.file === "src/app.py"
        ),
      );
      assertEveryHostSeesPayload(found, { facts: ["src/app.py"] });
      const tree = await callTool(client, "list_directory", { dir_path: ".", depth: 2 });
      assert(!tree.isError, textOf(tree));
      assertEveryHostSeesPayload(tree, { facts: ["app.py"], conveyedOtherwise: ["type"] });
    },
  );

  await t.step(
    "fetch_github_file fetches, then serves from the cache; 404 is a tool error",
    async () => {
      const args = { owner: FAKE_OWNER, repo: FAKE_REPO, ref: FAKE_REF, path: FAKE_FILES.text };
      const first = await callTool(client, "fetch_github_file", { ...args, line_numbers: false });
      assert(textOf(first).endsWith(`]\n${FAKE_README_TEXT}`), textOf(first));
      assertEveryHostSeesPayload(first, { textPayload: true, facts: [FAKE_README_TEXT] });
      const again = await callTool(client, "fetch_github_file", args);
      assertMatch(textOf(again), /, cache hit\): lines 1-/);
      const nf = await callTool(client, "fetch_github_file", { ...args, path: FAKE_FILES.missing });
      assert(nf.isError);
    },
  );

  await t.step("resources, prompts and completion answer", async () => {
    const file = await client.readResource({ uri: `file://${root}/src/clean.py` });
    assertEquals(
      (file.contents[0] as { text: string }).text,
      await Deno.readTextFile(`${root}/src/clean.py`),
    );
    const rules = await client.readResource({ uri: "config://review-rules" });
    assert((rules.contents[0] as { text: string }).text.length > 0);
    const p = await client.getPrompt({
      name: "security_review",
      arguments: { file_path: "src/app.py" },
    });
    assertMatch((p.messages[0]!.content as { text: string }).text, /attached below/);
    assertEquals(p.messages[1]!.content.type, "resource");
    const c = await client.complete({
      ref: { type: "ref/prompt", name: "performance_review" },
      argument: { name: "file_path", value: "src/a" },
    });
    assertEquals(c.completion.values, ["src/app.py"]);
  });
}
