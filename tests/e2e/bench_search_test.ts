/**
 * The benchmark's search section end to end in its quickest mode: `deno task bench`'s own
 * command with --search --quick and a temporary output folder. Checks the rows' shape and that
 * search_code and rg found the same lines, never the timings.
 */
import * as path from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { APP_DIR } from "./harness.ts";

function benchCommand(out: string): string[] {
  const task: string =
    JSON.parse(Deno.readTextFileSync(path.join(APP_DIR, "deno.json"))).tasks.bench;
  const words = task.split(/\s+/);
  assertEquals(words[0], "deno");
  return words.slice(1).map((w) => (w.startsWith("--allow-write=") ? `${w},${out}` : w));
}

Deno.test("deno task bench --search --quick writes search.json and search.md: cold and warm against rg, as ratios", async () => {
  const out = await Deno.makeTempDir({ prefix: "crm-bench-search-" });
  try {
    const run = await new Deno.Command(Deno.execPath(), {
      args: [...benchCommand(out), "--search", "--quick", "--out", out],
      cwd: APP_DIR,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert(run.success, `bench failed (${run.code}):\n${stderr.slice(-3000)}`);
    const res = JSON.parse(await Deno.readTextFile(path.join(out, "search.json")));
    assertEquals(res.mode, "quick");
    assertEquals(res.treeFiles, 1_000);
    assertEquals(res.rows.map((r: { id: string }) => r.id), [
      "search.literal",
      "search.literal_ignore_case",
      "search.regex",
    ]);
    for (const r of res.rows) {
      for (const k of ["cold", "coldSettled", "warm", "rg"]) {
        assertEquals(typeof r[k].median, "number", `${r.id}.${k}`);
      }
      assertEquals(typeof r.coldRatio, "number", r.id);
      assertEquals(typeof r.coldSettledRatio, "number", r.id);
      assertEquals(typeof r.warmRatio, "number", r.id);
      // One file in ten names the needle: both tools find the same 100 lines.
      assertEquals([r.matches, r.rgMatches], [100, 100], r.id);
    }
    assertEquals(res.targets.map((t: { name: string }) => t.name), ["search cold", "search warm"]);
    for (const t of res.targets) assertEquals(typeof t.met, "boolean", t.name);
    const md = await Deno.readTextFile(path.join(out, "search.md"));
    assert(md.includes("## search_code against rg on a 1000-file tree"), md);
    assert(md.includes("| cold / rg | settled / rg | warm / rg |"), md);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
