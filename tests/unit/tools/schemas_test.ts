/**
 * What a model sees of each tool is a reviewed diff: the tools/list entry of every
 * tool is kept as a JSON snapshot under tests/snapshots/tools/. Run with
 * UPDATE_SNAPSHOTS=1 to rewrite them after an intended change.
 */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { TOOLS } from "../../../src/tools/mod.ts";
import { toolsListEntries } from "../../tool_listing.ts";

/** Tools whose payload is text (file text, diffs): no output schema, metadata in a header line. */
const TEXT_PAYLOAD_TOOLS = ["read_file", "fetch_github_file", "get_diff"];

const SNAPSHOT_DIR = path.resolve(
  decodeURIComponent(new URL("../../snapshots/tools/", import.meta.url).pathname),
);

Deno.test("every tool has a title, all four annotation hints and a description on every input field", async () => {
  const listed = await toolsListEntries();
  assertEquals(listed.length, TOOLS.length);
  for (const tool of listed) {
    assert(tool.title && tool.title.length > 0, `${tool.name}: title`);
    assert(tool.description && tool.description.length > 40, `${tool.name}: description`);
    for (
      const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const
    ) {
      assertEquals(typeof tool.annotations?.[hint], "boolean", `${tool.name}: ${hint}`);
    }
    const props =
      (tool.inputSchema as { properties?: Record<string, { description?: string }> }).properties ??
        {};
    assert(Object.keys(props).length > 0, `${tool.name}: input fields`);
    for (const [field, schema] of Object.entries(props)) {
      assert(
        schema.description && schema.description.length > 10,
        `${tool.name}.${field}: description`,
      );
    }
    // A tool whose payload is text (file text, diffs) answers with text content only and declares no
    // output schema (the text reaches the model once, whichever field its host reads); data tools have one.
    assertEquals(
      tool.outputSchema === undefined,
      TEXT_PAYLOAD_TOOLS.includes(tool.name),
      `${tool.name}: output schema`,
    );
    const outProps =
      (tool.outputSchema as { properties?: Record<string, { description?: string }> } | undefined)
        ?.properties ?? {};
    for (const [field, schema] of Object.entries(outProps)) {
      assert(schema.description, `${tool.name} output ${field}: description`);
    }
  }
});

Deno.test("no tool is destructive, and only fetch_github_file reaches the open world", async () => {
  for (const tool of await toolsListEntries()) {
    assertEquals(tool.annotations?.destructiveHint, false, tool.name);
    assertEquals(tool.annotations?.readOnlyHint, true, tool.name);
    assertEquals(tool.annotations?.openWorldHint, tool.name === "fetch_github_file", tool.name);
  }
});

Deno.test("tool schemas match their JSON snapshots", async () => {
  const update = Deno.env.get("UPDATE_SNAPSHOTS") === "1";
  for (const tool of await toolsListEntries()) {
    const file = path.join(SNAPSHOT_DIR, `${tool.name}.json`);
    const actual = JSON.stringify(tool, null, 2) + "\n";
    if (update) {
      await Deno.mkdir(SNAPSHOT_DIR, { recursive: true });
      await Deno.writeTextFile(file, actual);
      continue;
    }
    let expected: string;
    try {
      expected = await Deno.readTextFile(file);
    } catch {
      throw new Error(
        `no snapshot for ${tool.name}: run UPDATE_SNAPSHOTS=1 deno task test and review the new file`,
      );
    }
    assertEquals(
      actual,
      expected,
      `${tool.name}: schema changed; review and run with UPDATE_SNAPSHOTS=1`,
    );
  }
});
