/**
 * src/result.ts is the one shape for expected failures: `{ ok: true, value }` or
 * `{ ok: false, reason }`. The scan below keeps it the only one: an object literal or type in src/
 * whose `ok: true` is not followed by `value`, or whose `ok: false` is not followed by `reason`,
 * fails the test (extra fields may follow, as a failure's `kind` does). The exceptions are named
 * with the reason they are not results.
 */
import * as path from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { fail, ok, type Result, unwrap } from "../../src/result.ts";

const APP_DIR = path.resolve(decodeURIComponent(new URL("../../", import.meta.url).pathname));

/** Shapes that carry `ok` without being results: "file: first field after ok" -> why. */
const NOT_RESULTS: Record<string, string> = {
  // The worker protocol's exception transport: a thrown error crossing the worker boundary.
  "src/sandbox/protocol.ts: ok: false -> error": "exception transport",
  "src/sandbox/worker.ts: ok: false -> error": "exception transport",
};

/** Each `ok: true|false` whose next field is not `value`|`reason`, as "file: ok: x -> field". */
export function adHocShapes(rel: string, text: string): string[] {
  const out: string[] = [];
  const re =
    /\bok:\s*(true|false)(?:\s+as\s+const)?\s*[,;}]\s*(?:(?:\/\/[^\n]*|\/\*[\s\S]*?\*\/)\s*)*([A-Za-z_$][\w$]*)?/g;
  for (const m of text.matchAll(re)) {
    const want = m[1] === "true" ? "value" : "reason";
    if (m[2] !== want) out.push(`${rel}: ok: ${m[1]} -> ${m[2] ?? "(nothing)"}`);
  }
  return out;
}

function sourceFiles(dir: string): { rel: string; text: string }[] {
  const out: { rel: string; text: string }[] = [];
  for (const e of Deno.readDirSync(path.join(APP_DIR, dir))) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...sourceFiles(rel));
    else if (e.isFile && rel.endsWith(".ts")) {
      out.push({ rel, text: Deno.readTextFileSync(path.join(APP_DIR, rel)) });
    }
  }
  return out;
}

Deno.test("a Result is a value or a one-line reason; unwrap() throws the reason", () => {
  const good: Result<number> = ok(3);
  const bad: Result<number> = fail("--port: expected an integer");
  assertEquals(good, { ok: true, value: 3 });
  assertEquals(bad, { ok: false, reason: "--port: expected an integer" });
  assertEquals(unwrap(good), 3);
  let thrown = "";
  try {
    unwrap(bad);
  } catch (e) {
    thrown = (e as Error).message;
  }
  assertEquals(thrown, "--port: expected an integer");
});

Deno.test("src/ writes every expected failure as the one Result shape", () => {
  const files = sourceFiles("src").filter((f) => f.rel !== "src/result.ts");
  assert(files.length > 50, "the walk found the sources");
  const found = files.flatMap((f) => adHocShapes(f.rel, f.text));
  assertEquals(found.filter((s) => !(s in NOT_RESULTS)), []);
  // An exception that no longer occurs is dropped from the list, so the list stays true.
  assertEquals(Object.keys(NOT_RESULTS).filter((k) => !found.includes(k)), []);
});

Deno.test("the shape scan catches ad-hoc results in literals, types and comments", () => {
  const sample = [
    "return { ok: false, error: `bad` };",
    "type T = { ok: true; keys: string[] } | { ok: false; reason: string };",
    "return {\n  ok: true,\n  // the url\n  url,\n};",
    "const x = { ok: true as const, parts: new Map() };",
    '// @example f() // { ok: false, message: "no" }',
    "return { ok: true };",
  ].join("\n");
  assertEquals(adHocShapes("x.ts", sample), [
    "x.ts: ok: false -> error",
    "x.ts: ok: true -> keys",
    "x.ts: ok: true -> url",
    "x.ts: ok: true -> parts",
    "x.ts: ok: false -> message",
    "x.ts: ok: true -> (nothing)",
  ]);
  const fine = "return { ok: true, value: 1 };\nreturn { ok: false, reason: 'x', kind: 'engine' };";
  assertEquals(adHocShapes("y.ts", fine), []);
});
