import { assert, assertEquals, assertMatch } from "../../assert.ts";
import { DEFAULT_RULES, sanitizedRules } from "../../../src/resources/review_rules.ts";
import { DEFAULT_RUFF_SETTINGS } from "../../../src/linters/ruff/config.ts";

Deno.test("every rule code cited by the review rules is selected by the built-in ruff defaults", () => {
  const select = (DEFAULT_RUFF_SETTINGS.lint as { select: string[] }).select;
  const cited = [...DEFAULT_RULES.matchAll(/\(((?:[A-Z]+\d*)(?:, [A-Z]+\d*)*)[,)]/g)].flatMap((m) =>
    m[1]!.split(", ")
  );
  assert(cited.length >= 7, `cited: ${cited}`);
  for (const code of cited) {
    assert(
      select.some((prefix) => code.startsWith(prefix)),
      `${code} is not selected by ${select}`,
    );
  }
});

Deno.test("the review rules state the line length the ruff defaults enforce", () => {
  assertMatch(
    DEFAULT_RULES,
    new RegExp(`at most ${DEFAULT_RUFF_SETTINGS["line-length"]} characters`),
  );
  assertMatch(DEFAULT_RULES, /line-length 100/);
});

Deno.test("the default selection and the review rules both carry the security rules (S)", () => {
  const select = (DEFAULT_RUFF_SETTINGS.lint as { select: string[] }).select;
  assert(select.includes("S"), `${select}`);
  for (const code of ["S608", "S602", "S105"]) assert(DEFAULT_RULES.includes(code), code);
  assertMatch(DEFAULT_RULES, /select E, F, W, B, I, UP, D, S;/);
});

Deno.test("a project's .code-review-rules.md is redacted like any other file: a secret in it becomes a marker with its line noted, invisible code points are escaped", () => {
  const pw = ["hunter2", "-prod-", "Password!"].join("");
  const text =
    `# Our rules\n\n1. Use the staging database:\n   DB_PASSWORD = "${pw}"\n2. No \u202Ebidi.\n`;
  const out = sanitizedRules(text);
  assert(!out.includes(pw), out);
  assert(out.includes('DB_PASSWORD = "[REDACTED password]"'), out);
  assert(!out.includes("\u202E"), out);
  assertMatch(out, /\[Note: 1 secret redacted \(password on line 4\); 1 invisible code point/);
  assertEquals(sanitizedRules("# Plain rules\n"), "# Plain rules\n");
});
