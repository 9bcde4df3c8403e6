import { z } from "zod";
import type { GetPromptResult } from "../sdk.ts";
import type { ResourceContext } from "../resources/types.ts";
import { RULES_URI } from "../resources/review_rules.ts";

/** How to review a change with review_changes, get_diff and read_file, findings with a concrete fix. */
export function reviewChangesPrompt(_ctx: ResourceContext) {
  return {
    name: "review_changes",
    config: {
      title: "Review changes",
      description:
        "Review a change (uncommitted edits, or a branch against a base such as main): scope, diff, surrounding code, then findings with severity, location and a concrete fix.",
      argsSchema: {
        base: z.string().max(256).optional().describe(
          'Branch, tag or commit to review against (e.g. "main"); omit for the uncommitted changes',
        ),
        focus: z.string().max(4000).optional().describe(
          'What to pay most attention to (optional), e.g. "error handling"',
        ),
      },
    },
    handler(
      { base, focus }: { base?: string | undefined; focus?: string | undefined },
    ): GetPromptResult {
      const scope = base
        ? `the changes on this branch since its merge base with \`${base}\`, plus the uncommitted changes`
        : "the uncommitted changes (index and working tree against HEAD)";
      const b = base ? `base "${base}"` : "no base";
      const text = `Review ${scope}.
${focus ? `\nFocus requested: ${focus}\n` : ""}
Work in this order:
1. Scope: call the review_changes tool with ${b}. Read the scope line, the commits, the changed files with their line counts, and the linter findings: those tagged \`new\` were not there before (the base version of each file was linted too and findings matched through the diff; each finding's \`basis\` says why, and \`unchanged-lines\` means the base could not be linted, so such an \`existing\` tag is weaker) and belong to this review; \`existing\` ones were there before (mention them only when the change makes them worse). The \`linters\` list names which linter and configuration file produced each group. Follow next_cursor until you have every file.
2. Diff: call get_diff with ${b} (use paths to narrow to a few files, and the cursor to continue). Hunk headers give old and new line numbers.
3. Surrounding code: for every hunk you are unsure about, call read_file on the file with start_line/end_line around the hunk's new line numbers, so that you judge the change in its context (callers, the function it sits in, the tests).
4. Rules: check the change against the project's rules in the resource ${RULES_URI}.

Then report findings, most severe first. For each one give:
- Severity: Critical, High, Medium or Low
- Location: file and line in the new version
- What is wrong, and why it matters
- A concrete fix: the change to make, with a short code sketch where it helps

Look for bugs the change introduces, missing error handling, security problems (untrusted input, injection, secrets), missing or weakened tests, and unclear names. Only report what you can point to in the diff or the code around it; if the change looks right, say so briefly.`;
      return {
        description: `Review of ${
          base ? `this branch against ${base}` : "the uncommitted changes"
        }`,
        messages: [{ role: "user", content: { type: "text", text } }],
      };
    },
  };
}
