/**
 * The permission module is the one definition: README's commands, the deno.json
 * start task and the worker's set must agree with it.
 */
import { assert, assertEquals } from "../assert.ts";
import * as path from "node:path";
import {
  denoCompileFlags,
  denoRunFlags,
  ENV_VARS,
  GITHUB_NET,
  LINTER_BINARIES,
  LISTEN_HOSTS,
  workerPermissions,
} from "../../src/sandbox/permissions.ts";
import { workerModuleDirs } from "../../src/sandbox/client.ts";
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

Deno.test("compile flags differ from the run flags only in read (unscoped) and the listen hosts", () => {
  const run = denoRunFlags({ read: ["/proj"] });
  const compile = denoCompileFlags();
  assertEquals(compile.length, run.length);
  for (let i = 0; i < run.length; i++) {
    if (run[i]!.startsWith("--allow-read=")) assertEquals(compile[i], "--allow-read");
    else if (run[i]!.startsWith("--allow-net=")) assertEquals(compile[i], `--allow-net=${[GITHUB_NET, ...LISTEN_HOSTS].join(",")}`);
    else assertEquals(compile[i], run[i]);
  }
  assert(compile.includes("--no-prompt"));
  assert(compile.includes("--unstable-worker-options"));
});

Deno.test("compile flags never grant everything, write, ffi or sys, and name no relative path", () => {
  const flags = denoCompileFlags();
  for (const f of flags) assert(!/^(-A|--allow-all|--allow-(net|run|env|write|ffi|sys|import)$)/.test(f), f);
  assert(!flags.some((f) => /^--allow-(write|ffi|sys)/.test(f)));
  // A relative path would be resolved against whatever folder the binary starts in.
  for (const f of flags) {
    const value = f.split("=")[1];
    for (const item of value?.split(",") ?? []) assert(!item.startsWith(".") && !item.includes("/"), `${f}: ${item}`);
  }
  const net = flags.find((f) => f.startsWith("--allow-net="))!.split("=")[1]!.split(",");
  assert(net.includes(GITHUB_NET));
  assertEquals(net.filter((h) => h.includes("github")), [GITHUB_NET]);
});

Deno.test("a compiled binary's worker gets no module folder: its modules load from the embedded file system", () => {
  assertEquals(workerModuleDirs(new URL("file:///tmp/deno-compile-crm/src/"), true), []);
  assertEquals(workerModuleDirs(new URL("file:///app/src/"), false), ["/app/src/"]);
  assertEquals(workerModuleDirs(new URL("https://example.com/src/"), false), []);
  assertEquals(workerModuleDirs(), [path.join(APP_DIR, "src") + "/"]);
});
