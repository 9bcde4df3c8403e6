/**
 * The option table is the one definition: the parser, the usage text, the environment lists,
 * the deno.json tasks' --allow-env and docs/options.md all follow it.
 */
import * as path from "node:path";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import {
  OPTIONS,
  optionsMarkdown,
  type OptionSpec,
  OptionValues,
  parseArgsOptions,
  parseBoolean,
  parseInteger,
} from "../../src/options.ts";
import { parseConfigArgs, USAGE } from "../../src/config.ts";
import { ENV_VARS, HTTP_ENV_VARS } from "../../src/permissions.ts";
import { ALL_LINTERS } from "../../src/linters/registry.ts";

const APP_DIR = path.resolve(decodeURIComponent(new URL("../../", import.meta.url).pathname));
const ALL = OPTIONS as readonly OptionSpec[];
const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("every boolean variable accepts the same words: on/off, yes/no, 1/0, true/false in any case", () => {
  const booleans = ALL.filter((o) => o.kind === "boolean" && o.env !== undefined);
  assert(booleans.length >= 3);
  const words: [string, boolean][] = [
    ["on", true],
    ["ON", true],
    ["yes", true],
    ["1", true],
    ["True", true],
    ["off", false],
    ["no", false],
    ["0", false],
    ["FALSE", false],
  ];
  for (const o of booleans) {
    for (const [word, want] of words) {
      const r = new OptionValues({}, envOf({ [o.env!]: word })).boolean(
        o.flag as Parameters<OptionValues["boolean"]>[0],
      );
      assert(r.ok, `${o.env}=${word}`);
      assertEquals(r.value, want, `${o.env}=${word}`);
    }
    const bad = new OptionValues({}, envOf({ [o.env!]: "sometimes" })).boolean(
      o.flag as Parameters<OptionValues["boolean"]>[0],
    );
    assert(!bad.ok);
    assertMatch(bad.reason, new RegExp(`^${o.env}: expected true or false, got "sometimes"$`));
  }
});

Deno.test("CODE_REVIEW_ALLOW_SECRET_FILES=on is accepted like CODE_REVIEW_ALLOW_HARD_LINKS=on", () => {
  const r = parseConfigArgs(
    [],
    envOf({ CODE_REVIEW_ALLOW_SECRET_FILES: "on", CODE_REVIEW_ALLOW_HARD_LINKS: "on" }),
    "/cwd",
  );
  assert(r.ok, r.ok ? "" : r.reason);
  assertEquals([r.value.config.allowSecretFiles, r.value.config.allowHardLinks], [true, true]);
});

Deno.test("parseInteger() and parseBoolean() refuse signs, units, exponents and unknown words", () => {
  for (const raw of ["-1", "+1", "1e3", "10ms", " 10", "", "0x10", "12345678901"]) {
    assert(!parseInteger(raw, { min: 0, max: 1e12 }).ok, raw);
  }
  assertEquals(parseInteger("4096", { min: 4096, max: 4096 }), { ok: true, value: 4096 });
  const low = parseInteger("9", { min: 10, max: 20, unit: "milliseconds" });
  assert(!low.ok);
  assertMatch(low.reason, /^expected milliseconds from 10 to 20, got "9"$/);
  for (const raw of ["", "y", "n", "enable", "2"]) assert(!parseBoolean(raw).ok, raw);
});

Deno.test("every flag and variable is named once, every flag is parsed, every option is in --help", () => {
  const flags = ALL.flatMap((o) => o.flag ?? []);
  const envs = ALL.flatMap((o) => o.env ?? []);
  assertEquals(new Set(flags).size, flags.length);
  assertEquals(new Set(envs).size, envs.length);
  assertEquals(Object.keys(parseArgsOptions()).sort(), [...flags].sort());
  for (const f of flags) assert(USAGE.includes(`--${f}`), `--${f} not in the usage text`);
  for (const e of envs) assert(USAGE.includes(e), `${e} not in the usage text`);
  for (const o of ALL.filter((o) => o.kind === "integer")) {
    assert(o.min !== undefined && o.max !== undefined && typeof o.default === "number", o.flag);
    assert(o.min <= o.default && o.default <= o.max, `${o.flag}: default outside its range`);
  }
  for (const line of USAGE.split("\n")) assert(line.length <= 100, line);
  const linters = ALL.find((o) => o.flag === "linters")?.defaultText ?? "";
  for (const name of ALL_LINTERS) {
    assert(linters.includes(name), `--linters' default omits ${name}`);
  }
});

Deno.test("the environment lists are the table's variables, HTTP ones apart", () => {
  assertEquals([...ENV_VARS, ...HTTP_ENV_VARS], ALL.flatMap((o) => o.env ?? []));
  assertEquals(
    [...HTTP_ENV_VARS],
    ALL.filter((o) => o.http === true).flatMap((o) => o.env ?? []),
  );
});

Deno.test("deno.json's start and start:http tasks allow exactly the table's variables", () => {
  const tasks = JSON.parse(Deno.readTextFileSync(path.join(APP_DIR, "deno.json"))).tasks;
  const allowEnv = (task: string) => {
    const m = task.match(/--allow-env=(\S+)/);
    assert(m?.[1] !== undefined, task);
    return m[1].split(",");
  };
  const core = ALL.filter((o) => o.http !== true).flatMap((o) => o.env ?? []);
  const http = ALL.filter((o) => o.http === true).flatMap((o) => o.env ?? []);
  assertEquals(allowEnv(tasks.start), core);
  assertEquals(allowEnv(tasks["start:http"]), [...core, ...http]);
});

Deno.test("docs/options.md is the table rendered as Markdown (UPDATE_SNAPSHOTS=1 rewrites it)", async () => {
  const file = path.join(APP_DIR, "docs/options.md");
  const want = optionsMarkdown();
  if (Deno.env.get("UPDATE_SNAPSHOTS") === "1") await Deno.writeTextFile(file, want);
  assertEquals(await Deno.readTextFile(file), want);
  for (const o of ALL.filter((o) => o.flag !== "help" && o.flag !== "version")) {
    assert(want.includes(o.flag !== undefined ? `--${o.flag}` : `\`${o.env}\``), o.flag ?? o.env);
  }
});
