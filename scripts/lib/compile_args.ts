/**
 * The exact `deno compile` argv for one target, shared by scripts/compile.ts and the tests
 * that inspect what a compile embeds, so both compile the same way.
 */
import * as path from "node:path";
import { denoCompileFlags } from "../../src/permissions.ts";
import type { Target } from "./targets.ts";

/**
 * The sandbox worker's entry module. `new Worker(new URL(...))` is not followed by the
 * module graph, so without `--include` a binary would lack the worker and everything it
 * imports (file access, linters, the ruff engine and its wasm).
 */
export const WORKER_MODULE = "src/sandbox/worker.ts";

/** The ruff engine's own worker (started by the main thread on the first Python lint): the same reason. */
export const RUFF_WORKER_MODULE = "src/linters/ruff/engine_worker.ts";

/** The program compiled: the server's entry point, relative to the checkout. */
export const ENTRY_MODULE = "main.ts";

/**
 * npm package files kept out of binaries, relative to the registry cache. `deno compile`
 * 2.9.6 overflows its stack on bintrees' 2 MB extension-less test data (test/perf/100k,
 * pulled in by prom-client); nothing loads those files.
 */
export const NPM_EXCLUDES = [
  "bintrees/1.0.2/test",
  // Symbols (src/symbols/grammars): only the grammars' .wasm and web-tree-sitter's runtime are
  // loaded; the C grammar's sources and native prebuilds, the runtime's debug build and source
  // maps, and the grammars we do not ship (CSS, INI, PowerShell, regex) stay out (~14 MB).
  "tree-sitter-c/0.24.1/src",
  "tree-sitter-c/0.24.1/prebuilds",
  "tree-sitter-c/0.24.1/bindings",
  "web-tree-sitter/0.25.10/debug",
  "web-tree-sitter/0.25.10/lib",
  "web-tree-sitter/0.25.10/tree-sitter.js.map",
  "web-tree-sitter/0.25.10/tree-sitter.cjs.map",
  "web-tree-sitter/0.25.10/tree-sitter.wasm.map",
  "@vscode/tree-sitter-wasm/0.3.1/wasm/tree-sitter-css.wasm",
  "@vscode/tree-sitter-wasm/0.3.1/wasm/tree-sitter-ini.wasm",
  "@vscode/tree-sitter-wasm/0.3.1/wasm/tree-sitter-powershell.wasm",
  "@vscode/tree-sitter-wasm/0.3.1/wasm/tree-sitter-regex.wasm",
  "@vscode/tree-sitter-wasm/0.3.1/wasm/tree-sitter.wasm",
  "@vscode/tree-sitter-wasm/0.3.1/wasm/tree-sitter.js",
];

/** argv after `deno`, run from the checkout's root; `npmCache` as `deno info --json` reports it. */
export function compileArgs(target: Target, output: string, npmCache: string): string[] {
  return [
    "compile",
    "--target",
    target.triple,
    "--output",
    output,
    ...denoCompileFlags(),
    "--include",
    WORKER_MODULE,
    "--include",
    RUFF_WORKER_MODULE,
    ...NPM_EXCLUDES.flatMap((p) => ["--exclude", path.join(npmCache, "registry.npmjs.org", p)]),
    ENTRY_MODULE,
  ];
}
