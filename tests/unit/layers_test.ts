/**
 * The layers, top to bottom. A module may import from its own layer or any layer below it,
 * never from one above: data flows transport -> server -> handler -> sandbox -> engines ->
 * pure decisions, and the imports follow the same direction.
 *
 *  1. Entry and transports: main.ts, src/cli/, src/transports/. They parse flags, start things,
 *     and speak HTTP or stdio; nothing imports them but each other.
 *  2. The server: src/server.ts, the MCP server and the lists it registers.
 *  3. Handlers: src/tools/, src/prompts/, src/resources/. They decide and shape; every effect
 *     is a call to the layers below.
 *  4. Main-side clients of the sandbox: src/github/ (the raw GitHub client: cache and policy on the
 *     main thread, the fetch itself a sandbox call).
 *  5. The sandbox: src/sandbox/, the worker and its main-side stub, where every effect happens.
 *  6. Engines and settings: src/git/, src/symbols/, src/linters/ (with src/policy/commands.ts,
 *     the linter allowlist, which names each linter's parser), src/auth/, src/observability/
 *     (metric labels take their closed sets from the modules that define them), src/state/
 *     (limits shared through Redis, which logs its outages), src/config.ts and src/config_http.ts.
 *  7. Pure decisions and shaping: src/policy/, src/output/.
 *  8. Leaves, importing only each other: src/options.ts, src/permissions.ts, src/limits.ts,
 *     src/version.ts, src/result.ts, src/bytes.ts, src/sdk.ts.
 *
 * A new folder or top-level module must be placed here before it can be imported.
 */
import * as path from "node:path";
import { assert, assertEquals, assertMatch } from "../assert.ts";

const APP_DIR = path.resolve(decodeURIComponent(new URL("../../", import.meta.url).pathname));

/** The layer of a module (path relative to the repository, "/" separators); 1 is the top. */
const LAYERS: readonly (readonly string[])[] = [
  ["main.ts", "src/cli/", "src/transports/"],
  ["src/server.ts"],
  ["src/tools/", "src/prompts/", "src/resources/"],
  ["src/github/"],
  ["src/sandbox/"],
  [
    "src/git/",
    "src/symbols/",
    "src/linters/",
    "src/policy/commands.ts",
    "src/auth/",
    "src/observability/",
    "src/state/",
    "src/config.ts",
    "src/config_http.ts",
  ],
  ["src/policy/", "src/output/"],
  [
    "src/options.ts",
    "src/permissions.ts",
    "src/limits.ts",
    "src/version.ts",
    "src/result.ts",
    "src/bytes.ts",
    "src/sdk.ts",
  ],
];

/** 1-based layer of a module; the most specific entry wins (a file before its folder). */
export function layerOf(rel: string): number | undefined {
  let best: { layer: number; length: number } | undefined;
  LAYERS.forEach((entries, i) => {
    for (const e of entries) {
      const hit = e.endsWith("/") ? rel.startsWith(e) : rel === e;
      if (hit && (best === undefined || e.length > best.length)) {
        best = { layer: i + 1, length: e.length };
      }
    }
  });
  return best?.layer;
}

/** Relative specifiers of static imports, `export ... from` and dynamic `import("...")`. */
export function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gms,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of source.matchAll(re)) if (m[1]?.startsWith(".")) out.push(m[1]);
  }
  return out;
}

/** Every import that runs up the layers, or from or to a module no layer names, as one line each. */
export function upwardImports(files: readonly { rel: string; text: string }[]): string[] {
  const problems: string[] = [];
  for (const f of files) {
    const from = layerOf(f.rel);
    if (from === undefined) {
      problems.push(`${f.rel}: in no layer (place it in tests/unit/layers_test.ts)`);
      continue;
    }
    for (const spec of importSpecifiers(f.text)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f.rel), spec));
      const to = layerOf(target);
      if (to === undefined) problems.push(`${f.rel} imports ${target}, which is in no layer`);
      else if (to < from) {
        problems.push(`${f.rel} (layer ${from}) imports ${target} (layer ${to}, above it)`);
      }
    }
  }
  return problems;
}

function sourceFiles(): { rel: string; text: string }[] {
  const files = [{ rel: "main.ts", text: Deno.readTextFileSync(path.join(APP_DIR, "main.ts")) }];
  const visit = (dir: string) => {
    for (const e of [...Deno.readDirSync(path.join(APP_DIR, dir))]) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory) visit(rel);
      else if (e.isFile && e.name.endsWith(".ts")) {
        files.push({ rel, text: Deno.readTextFileSync(path.join(APP_DIR, rel)) });
      }
    }
  };
  visit("src");
  return files;
}

Deno.test("no module imports from a layer above its own", () => {
  const files = sourceFiles();
  assert(files.length > 50, "the walk found the sources");
  assertEquals(upwardImports(files), []);
});

Deno.test("the layer check catches an upward import, a re-export and a dynamic import", () => {
  const problems = upwardImports([
    { rel: "src/policy/paths.ts", text: 'import type { Config } from "../config.ts";\n' },
    { rel: "src/sandbox/files.ts", text: 'export { createServer } from "../server.ts";\n' },
    { rel: "src/git/repo.ts", text: 'const m = await import("../tools/read_file.ts");\n' },
    { rel: "src/tools/read_file.ts", text: 'import { x } from "../sandbox/client.ts";\n' },
    {
      rel: "src/output/budget.ts",
      text: 'import {\n  a,\n  b,\n} from "../linters/registry.ts";\n',
    },
  ]);
  assertEquals(problems.length, 4, problems.join("\n"));
  assertMatch(problems[0] ?? "", /^src\/policy\/paths\.ts \(layer 7\) imports src\/config\.ts/);
  assertMatch(problems[1] ?? "", /src\/server\.ts \(layer 2, above it\)/);
  assertMatch(problems[2] ?? "", /src\/tools\/read_file\.ts/);
  assertMatch(problems[3] ?? "", /^src\/output\/budget\.ts .*src\/linters\/registry\.ts/);
});

Deno.test("the layer check refuses a module no layer names", () => {
  assertEquals(upwardImports([{ rel: "src/newfolder/x.ts", text: "" }]), [
    "src/newfolder/x.ts: in no layer (place it in tests/unit/layers_test.ts)",
  ]);
  assertEquals(layerOf("src/policy/commands.ts"), layerOf("src/linters/registry.ts"));
});
