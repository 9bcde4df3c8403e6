/**
 * The permission module is the one definition: README's commands, the deno.json
 * start task and the worker's set must agree with it.
 */
import { assert, assertEquals } from "../assert.ts";
import * as path from "node:path";
import { denoRunFlags, ENV_VARS, GITHUB_NET, LINTER_BINARIES, workerPermissions } from "../../src/sandbox/permissions.ts";
import { APP_PLACEHOLDER, PROJECT_PLACEHOLDER, readmeCommand } from "../e2e/harness.ts";

const APP_DIR = path.resolve(decodeURIComponent(new URL("../../", import.meta.url).pathname));

Deno.test("README's deno run command carries exactly the permission module's flags", () => {
  const words = readmeCommand();
  const expected = denoRunFlags({ read: [PROJECT_PLACEHOLDER, `${APP_PLACEHOLDER}/src`] });
  assertEquals(words.slice(0, 4), ["npx", "-y", "deno@2.9.6", "run"]);
  assertEquals(words.slice(4, 4 + expected.length), expected);
  assertEquals(words.slice(4 + expected.length), [`${APP_PLACEHOLDER}/main.ts`, "--root", PROJECT_PLACEHOLDER]);
});

Deno.test("deno.json's start task runs main.ts with the module's flags for the current folder", () => {
  const config = JSON.parse(Deno.readTextFileSync(path.join(APP_DIR, "deno.json")));
  assertEquals(config.tasks.start, `deno run ${denoRunFlags({ read: ["."] }).join(" ")} main.ts`);
});

Deno.test("README's client entries use the same flags", () => {
  const readme = Deno.readTextFileSync(path.join(APP_DIR, "README.md"));
  const flags = denoRunFlags({ read: [PROJECT_PLACEHOLDER, `${APP_PLACEHOLDER}/src`] });
  for (const f of flags) assert(readme.split(`"${f}"`).length > 1, `Claude Desktop entry lacks ${f}`);
  for (const f of flags) assert(readme.includes(` ${f}`), `README lacks ${f}`);
});

Deno.test("the flags never grant everything and always pin the GitHub port", () => {
  const flags = denoRunFlags({ read: ["."] });
  for (const f of flags) assert(!/^(-A|--allow-all|--allow-(read|net|run|env|write|ffi|sys)$)/.test(f), f);
  assert(flags.includes(`--allow-net=${GITHUB_NET}`));
  assert(GITHUB_NET.endsWith(":443"));
  assert(!flags.some((f) => f.startsWith("--allow-write")));
  assertEquals(flags.find((f) => f.startsWith("--allow-run="))?.split("=")[1]?.split(","), [...LINTER_BINARIES]);
  assertEquals(flags.find((f) => f.startsWith("--allow-env="))?.split("=")[1]?.split(","), [...ENV_VARS]);
});

Deno.test("the worker's set is narrower than the process's: root and modules only, no env, no write", () => {
  const p = workerPermissions({ root: "/proj", moduleDirs: ["/app/src"], net: GITHUB_NET, run: LINTER_BINARIES });
  assertEquals(p.read, ["/proj", "/app/src"]);
  assertEquals(p.env, false);
  assertEquals(p.write, false);
  assertEquals(p.ffi, false);
  assertEquals(p.net, [GITHUB_NET]);
});
