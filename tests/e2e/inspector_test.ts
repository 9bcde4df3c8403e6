/**
 * The MCP Inspector's CLI (@modelcontextprotocol/inspector 2.12.0, a real client other
 * than the SDKs' own) lists and calls our tools over stdio, starting the server with the
 * README's command. npx runs it from npm's cache (`--offline`): .ci/run installs it first.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { makeProject, serverArgs } from "./harness.ts";
import { TOOLS } from "../../src/tools/mod.ts";

const INSPECTOR = "@modelcontextprotocol/inspector@2.12.0";

async function inspector(root: string, args: string[]): Promise<unknown> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("npx", {
      // Everything after "--" is the server's command line, not the Inspector's options.
      args: [
        "--offline",
        "-y",
        INSPECTOR,
        "--cli",
        ...args,
        "--",
        Deno.execPath(),
        ...serverArgs(root),
      ],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    throw new Error(`npx is needed to run the MCP Inspector (${(err as Error).message})`);
  }
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(
    out.code,
    0,
    `inspector ${
      args.join(" ")
    } failed (is ${INSPECTOR} in npm's cache? .ci/run installs it):\n${stderr}`,
  );
  return JSON.parse(stdout);
}

/** Arguments the Inspector passes as key=value, for the tools this test calls. */
const CALLS: Record<string, string[]> = {
  list_directory: ["dir_path=."],
  read_file: ["file_path=src/app.py"],
  run_linter: ["file_path=src/app.py", "linter=ruff"],
};

Deno.test("the MCP Inspector CLI lists our tools and calls them over stdio", async (t) => {
  const project = await makeProject();
  try {
    const listed = await inspector(project.root, ["--method", "tools/list"]) as {
      tools: { name: string; annotations?: Record<string, unknown> }[];
    };
    await t.step("tools/list shows every tool, in the server's order, with its annotations", () => {
      assertEquals(listed.tools.map((x) => x.name), TOOLS.map((x) => x.name));
      for (const tool of listed.tools) {
        assertEquals(tool.annotations?.["readOnlyHint"] !== undefined, true, tool.name);
      }
    });
    for (const [name, args] of Object.entries(CALLS)) {
      await t.step(`tools/call ${name}`, async () => {
        assert(listed.tools.some((x) => x.name === name), `${name} is not listed`);
        const r = await inspector(project.root, [
          "--method",
          "tools/call",
          "--tool-name",
          name,
          "--tool-arg",
          ...args,
        ]) as {
          isError?: boolean;
          content: { type: string; text?: string }[];
        };
        assert(!r.isError, JSON.stringify(r));
        const text = r.content.map((c) => c.text ?? "").join("\n");
        assertMatch(text, name === "list_directory" ? /src\// : /app\.py/);
      });
    }
  } finally {
    await project.cleanup();
  }
});
