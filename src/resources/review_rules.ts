/**
 * config://review-rules: the rules a review holds code to. A project replaces them
 * with its own `.code-review-rules.md` in the root. The built-in ruff engine's
 * default selection is derived from the same rules, so tool and resource agree.
 */
import type { ReadResourceResult } from "../sdk.ts";
import { LIMITS } from "../config.ts";
import type { ResourceContext } from "./types.ts";
import { DEFAULT_RUFF_SETTINGS } from "../linters/ruff/config.ts";
import { sanitizeNote, sanitizeText } from "../output/sanitize.ts";

const ruffLint = DEFAULT_RUFF_SETTINGS.lint as {
  select: string[];
  pydocstyle: { convention: string };
};

export const RULES_URI = "config://review-rules";
export const PROJECT_RULES_FILE = ".code-review-rules.md";

export const DEFAULT_RULES = `# Review rules

These are the default rules of code-review-mcp. A project replaces them with its own
\`${PROJECT_RULES_FILE}\` in the project root. The ruff code after each rule is what the
built-in ruff engine checks when the project has no ruff configuration of its own.

1. Every public module, class and function has a docstring. (ruff D, pep257 convention)
2. No bare \`except:\`; catch the exceptions you mean. (E722)
3. No mutable default arguments (lists, dicts, sets as defaults). (B006)
4. f-strings are preferred over \`%\` formatting and \`str.format\`. (UP031, UP032)
5. Public functions have type hints on parameters and return values. (checked in review)
6. Lines are at most 100 characters. (E501, line-length = 100)
7. Imports are ordered: standard library, then third-party, then local. (I001)
8. No unused imports. (F401)
9. No security holes: no SQL built from strings (S608), no \`shell=True\` (S602, S604), no
   hard-coded passwords or keys (S105, S106), no \`eval\` or \`pickle\` of untrusted data (S307, S301).
   \`assert\` is for tests only. (ruff S, flake8-bandit; S101 outside tests)

Every finding names its severity (Critical, High, Medium, Low), its location (file and
line), what is wrong, and how to fix it.

Built-in ruff defaults derived from these rules: select ${ruffLint.select.join(", ")};
line-length ${
  DEFAULT_RUFF_SETTINGS["line-length"]
}; docstring convention ${ruffLint.pydocstyle.convention};
S101 ignored in test files.
`;

/**
 * The rules in force: the project's own file when it has a readable one, else the defaults.
 * The project's file is the reviewed repository's text like any other: secrets redacted and
 * invisible code points escaped, with a closing note when anything was changed.
 */
export async function readReviewRules(ctx: ResourceContext, signal?: AbortSignal): Promise<string> {
  const r = await ctx.sandbox.readFile({
    path: PROJECT_RULES_FILE,
    maxBytes: LIMITS.maxFileBytes,
    maxOutputBytes: LIMITS.maxReadOutputBytes,
  }, signal);
  if (!r.ok) return DEFAULT_RULES;
  return sanitizedRules(r.value.text);
}

/**
 * A project's rules text as the model may see it.
 *
 * @example sanitizedRules('Deploy with token = "ghp_…"\n')
 * // 'Deploy with token = "[REDACTED github-token]"\n\n[Note: 1 secret redacted (github-token on line 1)]\n'
 */
export function sanitizedRules(text: string): string {
  const s = sanitizeText(text, 1);
  const note = sanitizeNote(s);
  if (note === "") return s.text;
  return `${s.text}${s.text.endsWith("\n") ? "" : "\n"}\n[Note: ${note}]\n`;
}

export function reviewRulesResource(ctx: ResourceContext) {
  return {
    name: "review-rules",
    uri: RULES_URI,
    metadata: {
      title: "Review rules",
      description:
        `The rules a review holds this project to: the project's own ${PROJECT_RULES_FILE} when it has one, otherwise the defaults.`,
      mimeType: "text/markdown",
    },
    async read(uri: URL): Promise<ReadResourceResult> {
      return {
        contents: [{ uri: uri.href, mimeType: "text/markdown", text: await readReviewRules(ctx) }],
      };
    },
  };
}
