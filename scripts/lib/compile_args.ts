/**
 * The exact `deno compile` argv for one target, shared by scripts/compile.ts and the tests
 * that inspect what a compile embeds, so both compile the same way.
 */
import { denoCompileFlags } from "../../src/sandbox/permissions.ts";
import type { Target } from "./targets.ts";

/**
 * The sandbox worker's entry module. `new Worker(new URL(...))` is not followed by the
 * module graph, so without `--include` a binary would lack the worker and everything it
 * imports (file access, linters, the ruff engine and its wasm).
 */
export const WORKER_MODULE = "src/sandbox/worker.ts";

/** The program compiled: the server's entry point, relative to the checkout. */
export const ENTRY_MODULE = "main.ts";

/** argv after `deno`, run from the checkout's root. */
export function compileArgs(target: Target, output: string): string[] {
  return [
    "compile",
    "--target",
    target.triple,
    "--output",
    output,
    ...denoCompileFlags(),
    "--include",
    WORKER_MODULE,
    ENTRY_MODULE,
  ];
}
