/**
 * A process that may read every file (a compiled binary, whose read permission cannot
 * name a root chosen at run time) must be told its root: defaulting to the current folder
 * would make its confinement whatever folder a client happens to start it in ("/", $HOME).
 */
import type { EnvReader } from "../config.ts";

/** Whether argv names the root with `--root DIR` or `--root=DIR`. */
export function argvNamesRoot(argv: readonly string[]): boolean {
  return argv.some((a) => a === "--root" || a.startsWith("--root="));
}

/** Whether Deno lets this process read every path (an unscoped `--allow-read`). */
export function readsEverything(): boolean {
  try {
    return Deno.permissions.querySync({ name: "read" }).state === "granted";
  } catch {
    return false;
  }
}

/**
 * The one-line refusal when the root was left to default under an unscoped read
 * permission, else undefined.
 *
 * @example rootGuard([], () => undefined, true)
 * // "--root: required when the process may read every file (a compiled binary): ..."
 */
export function rootGuard(
  argv: readonly string[],
  env: EnvReader,
  unscopedRead: boolean = readsEverything(),
): string | undefined {
  if (!unscopedRead || argvNamesRoot(argv)) return undefined;
  const fromEnv = env("CODE_REVIEW_ROOT");
  if (fromEnv !== undefined && fromEnv !== "") return undefined;
  return "--root: required when the process may read every file (a compiled binary): " +
    "name the project folder with --root DIR or CODE_REVIEW_ROOT";
}
