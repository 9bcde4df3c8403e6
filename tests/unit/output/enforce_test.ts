import { assert, assertEquals } from "../../assert.ts";
import { enforceBudget, structuredViewBytes, textViewBytes } from "../../../src/output/enforce.ts";
import type { CallToolResult } from "../../../src/sdk.ts";

const text = (t: string): CallToolResult => ({ content: [{ type: "text", text: t }] });

Deno.test("enforceBudget() passes answers at and under the budget unchanged", () => {
  const at = text("x".repeat(5000));
  assertEquals(enforceBudget(at, 5000), at);
  const under = { ...text("y".repeat(4999)), structuredContent: { a: "z".repeat(4000) } };
  assertEquals(enforceBudget(under, 5000), under);
});

Deno.test("enforceBudget() cuts an over-budget text answer at a line and says so", () => {
  let cut = 0;
  const over = text("line\n".repeat(2000));
  const r = enforceBudget(over, 5000, () => cut++);
  assert(textViewBytes(r) <= 5000, String(textViewBytes(r)));
  assertEquals(cut, 1);
  const all = r.content.map((c) => (c.type === "text" ? c.text : "")).join("");
  assert(all.includes("--max-output-bytes"));
  assert(all.startsWith("line\nline\n"));
  const oneLine = enforceBudget(text("é".repeat(2_000_000)), 80_000);
  assert(textViewBytes(oneLine) <= 80_000);
});

Deno.test("enforceBudget() turns an over-budget structured answer into a tool error", () => {
  const r = enforceBudget({
    content: [{ type: "text", text: "short" }],
    structuredContent: { big: "x".repeat(10_000) },
  }, 5000);
  assertEquals(r.isError, true);
  assertEquals(structuredViewBytes(r), 0);
  assert(
    r.content[0]?.type === "text" &&
      /^Cannot answer within the output budget/.test(r.content[0].text),
  );
});
