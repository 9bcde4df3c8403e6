/** The root guard: a process that may read everything must be told its root. */
import { assert, assertEquals, assertMatch } from "../../assert.ts";
import { argvNamesRoot, rootGuard } from "../../../src/cli/root_guard.ts";

const noEnv = () => undefined;

Deno.test("rootGuard() refuses a defaulted root when read is unscoped", () => {
  const msg = rootGuard([], noEnv, true);
  assert(msg !== undefined);
  assertMatch(msg, /^--root: required when the process may read every file/);
  assert(!msg.includes("\n"));
});

Deno.test("rootGuard() accepts a root from the flag, either spelling, or from CODE_REVIEW_ROOT", () => {
  assertEquals(rootGuard(["--root", "/p"], noEnv, true), undefined);
  assertEquals(rootGuard(["--root=/p"], noEnv, true), undefined);
  assertEquals(
    rootGuard([], (n) => (n === "CODE_REVIEW_ROOT" ? "/p" : undefined), true),
    undefined,
  );
  assert(rootGuard([], (n) => (n === "CODE_REVIEW_ROOT" ? "" : undefined), true) !== undefined);
});

Deno.test("rootGuard() leaves a scoped read alone: there the flags already confine the root", () => {
  assertEquals(rootGuard([], noEnv, false), undefined);
});

Deno.test("argvNamesRoot() does not mistake a lookalike flag for --root", () => {
  assertEquals(argvNamesRoot(["--rootdir", "/p"]), false);
  assertEquals(argvNamesRoot(["--transport", "stdio"]), false);
});
