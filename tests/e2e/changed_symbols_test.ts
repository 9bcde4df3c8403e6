/**
 * End to end: review_changes lists each changed file's added, removed and modified functions and
 * classes, with complexity before -> after, and a finding when a function crosses the threshold;
 * on a fixture repository built with the real git, the server started with the README's flags.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import type { CallToolResult } from "../../src/sdk.ts";
import { connect } from "./harness.ts";
import { emptyRepo, git, write } from "../fixtures/git_repo.ts";
import { assertEveryHostSeesPayload } from "../host_views.ts";

function text(r: CallToolResult): string {
  return r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

Deno.test("review_changes names the functions a change touched and flags one that crossed the complexity threshold", async () => {
  const f = await emptyRepo();
  write(
    f.root,
    "lib/shop.ts",
    "export class Cart {\n  total(xs: number[]): number {\n    return xs.length;\n  }\n}\n\nexport function old(): void {}\n",
  );
  write(f.root, "notes.txt", "a\n");
  git(f.root, "add", "-A");
  git(f.root, "commit", "-qm", "initial");
  const branches = Array.from(
    { length: 10 },
    (_, i) => `    if (xs[${i}] > ${i} && xs[0]) n++;`,
  ).join("\n");
  write(
    f.root,
    "lib/shop.ts",
    `export class Cart {\n  total(xs: number[]): number {\n    let n = 0;\n${branches}\n    return n;\n  }\n}\n\nexport function added(): number {\n  return 1;\n}\n`,
  );
  write(f.root, "notes.txt", "b\n");
  const s = await connect(f.root);
  try {
    const r =
      (await s.client.callTool({ name: "review_changes", arguments: {} })) as CallToolResult;
    assert(!r.isError, text(r));
    const sc = r.structuredContent as {
      files: { path: string; symbols?: { symbols: Record<string, unknown>[]; more: number } }[];
      findings: { tag: string; file: string; line: number; code: string; message: string }[];
    };
    const shop = sc.files.find((x) => x.path === "lib/shop.ts")!;
    assertEquals(shop.symbols, {
      symbols: [
        {
          name: "Cart.total",
          kind: "method",
          change: "modified",
          line: 2,
          complexity_before: 1,
          complexity_after: 21,
        },
        { name: "added", kind: "function", change: "added", line: 18, complexity_after: 1 },
        { name: "old", kind: "function", change: "removed", line: 7, complexity_before: 1 },
      ],
      more: 0,
    });
    assertEquals(sc.files.find((x) => x.path === "notes.txt")?.symbols, undefined);
    const cx = sc.findings.filter((d) => d.code === "complexity>10");
    assertEquals(cx.map((d) => [d.tag, d.file, d.line]), [["new", "lib/shop.ts", 2]]);
    assertMatch(text(r), /~method Cart\.total:2 modified complexity 1->21/);
    assertMatch(text(r), /Cart\.total: cyclomatic complexity 1 -> 21 \(over 10\)/);
    assertEveryHostSeesPayload(r, {
      facts: ["Cart.total", "added"],
      conveyedOtherwise: ["status", "kind", "change"],
    });
  } finally {
    await s.close();
    await f.cleanup();
  }
});
