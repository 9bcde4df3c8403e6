/**
 * The workflows keep macOS and Windows covered (they cannot run here, docs/platforms.md): CI runs
 * the platform tests and the smoke on both, and the release smoke-tests every target's binary on
 * its own platform before anything is published. Read as text: no YAML parser is a dependency.
 */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { TARGETS } from "../../../scripts/lib/targets.ts";

const APP = fileURLToPath(new URL("../../../", import.meta.url));
const read = (f: string) => Deno.readTextFileSync(path.join(APP, ".github", "workflows", f));

/** The text of one top-level job (from its `  name:` line to the next job). */
function job(workflow: string, name: string): string {
  const m = workflow.match(new RegExp(`\\n  ${name}:\\n([\\s\\S]*?)(?=\\n  [a-z][\\w-]*:\\n|$)`));
  assert(m, `no job ${name}`);
  return m[1]!;
}

Deno.test("ci runs the platform unit tests and the end-to-end smoke on macOS and Windows", () => {
  const platforms = job(read("ci.yml"), "platforms");
  assert(platforms.includes("os: [macos-latest, windows-latest]"), platforms);
  for (
    const test of [
      "tests/unit/policy/platform_paths_test.ts",
      "tests/unit/policy/secrets_test.ts",
      "tests/unit/cli/client_entries_test.ts",
      "tests/unit/scripts/mcpb_manifest_test.ts",
      "tests/e2e/smoke_test.ts",
    ]
  ) {
    assert(platforms.includes(test), `${test} is not run on macOS and Windows`);
    Deno.statSync(path.join(APP, test));
  }
  assert(platforms.includes("core.autocrlf false"));
});

Deno.test("the release smoke-tests every target's bundle on its own platform before publishing", () => {
  const release = read("release.yml");
  const smoke = job(release, "smoke");
  const triples = [...smoke.matchAll(/triple: ([\w-]+)/g)].map((m) => m[1]).sort();
  assertEquals(triples, TARGETS.map((t) => t.triple).sort());
  for (
    const [runner, triple] of smoke.matchAll(/runner: ([\w.-]+), triple: ([\w-]+)/g).map((
      m,
    ): [string, string] => [m[1]!, m[2]!])
  ) {
    const os = triple.includes("windows")
      ? "windows"
      : triple.includes("apple")
      ? "macos"
      : "ubuntu";
    assert(runner.startsWith(os), `${triple} runs on ${runner}`);
    assertEquals(
      runner.includes("arm") || runner === "macos-latest",
      triple.startsWith("aarch64"),
      runner,
    );
  }
  assert(smoke.includes("CODE_REVIEW_SMOKE_BUNDLE=") && smoke.includes("tests/e2e/smoke_test.ts"));
  assert(job(release, "publish").includes("needs: [binaries, smoke]"));
  assert(
    !job(release, "binaries").includes("action-gh-release"),
    "nothing is published before the smoke",
  );
});
