import { completable } from "../sdk.ts";
import { z } from "zod";
import { type GetPromptResult, ProtocolError, ProtocolErrorCode } from "../sdk.ts";
import { LIMITS } from "../config.ts";
import { lexicalCandidate } from "../policy/paths.ts";
import type { ResourceContext } from "../resources/types.ts";
import { readReviewRules, RULES_URI } from "../resources/review_rules.ts";
import { mimeTypeFor } from "../resources/file.ts";
import { numberLines } from "../output/line_numbers.ts";
import { sanitizeNote, sanitizeText } from "../output/sanitize.ts";
import { cutText, formatBudget, utf8Length } from "../output/budget.ts";

/** The file_path argument of a prompt, completed from the project's entries. */
export function filePathArg(ctx: ResourceContext) {
  return completable(
    z.string().min(1).max(LIMITS.maxPathLength).describe(
      'File to review, relative to the project root (e.g. "src/app.py")',
    ),
    (value: string) =>
      ctx.sandbox.completePath(value, LIMITS.completionMaxValues, ctx.config.allowSecretFiles),
  );
}

/** Bytes kept for the prompt's own instructions when the file's share of the budget is worked out. */
const INSTRUCTIONS_RESERVE = 4096;
/** The file always gets at least this much, however long the rules are. */
const MIN_FILE_BYTES = 4096;

/** What a review prompt embeds: the file (numbered, sanitised, within the budget) and the rules. */
export interface ReviewMaterial {
  /** The file, relative to the root (its real path). */
  rel: string;
  /** The file's file:// URI, also the embedded resource's. */
  uri: string;
  /** The sentence telling the model what is attached, what was cut or changed, and how to read more. */
  howToRead: string;
  /** The two embedded resources, file then rules, as prompt messages. */
  messages: GetPromptResult["messages"];
}

function fileUri(root: string, rel: string): string {
  const abs = (root.endsWith("/") ? root : root + "/") + (rel === "." ? "" : rel);
  return "file://" + abs.split("/").map(encodeURIComponent).join("/");
}

function refuse(filePath: string, reason: string): never {
  throw new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    `Cannot review ${JSON.stringify(filePath)}: ${reason}`,
  );
}

/**
 * Reads the file under review with read_file's policy (a missing file, one outside the
 * root, a hard link, a binary file are refused alike, as an InvalidParams error) and the
 * review rules, so the prompt carries both and the model needs no call before it starts.
 * The file comes with line numbers, secrets redacted and invisible characters shown, cut
 * at a line within the answer budget (--max-output-bytes) less the rules' size.
 */
export async function reviewMaterial(
  ctx: ResourceContext,
  filePath: string,
): Promise<ReviewMaterial> {
  const lexical = lexicalCandidate(ctx.config.root, filePath);
  if (!lexical.ok) refuse(filePath, lexical.reason);
  const rules = await readReviewRules(ctx);
  const budget = ctx.config.maxOutputBytes;
  const fileBudget = Math.max(MIN_FILE_BYTES, budget - utf8Length(rules) - INSTRUCTIONS_RESERVE);
  // A ranged read streams a file of any size and stops at the byte cap: large files are reviewed from the top.
  const r = await ctx.sandbox.readFile({
    path: filePath,
    startLine: 1,
    maxBytes: LIMITS.maxFileBytes,
    maxOutputBytes: fileBudget,
    allowSecretFiles: ctx.config.allowSecretFiles,
  });
  if (!r.ok) refuse(filePath, r.reason);
  const v = r.value;
  const clean = sanitizeText(v.text, 1);
  let numbered = numberLines(clean.text, 1, v.totalLines);
  let lastLine = v.endLine;
  let cut = v.truncated;
  const fitted = cutText(numbered, fileBudget);
  if (fitted.cut) {
    numbered = fitted.text;
    lastLine = numbered === "" ? 0 : numbered.split("\n").filter((l) => l !== "").length;
    cut = true;
  }
  const uri = fileUri(ctx.config.root, v.rel);
  const shown = numbered === "" ? "(empty file)" : numbered;
  const notes: string[] = [];
  if (cut) {
    notes.push(
      `Only lines 1-${lastLine}${
        v.totalLines !== undefined ? ` of ${v.totalLines}` : ""
      } are attached (the answer budget, ${formatBudget(budget)}): ` +
        `read the rest with the read_file tool, file_path "${v.rel}" and start_line ${
          lastLine + 1
        }.`,
    );
  }
  const sanitized = sanitizeNote(clean);
  if (sanitized !== "") notes.push(`In the attached text: ${sanitized}.`);
  const howToRead =
    `The file's text is attached below as the resource ${uri}, each line prefixed by its number and a tab: ` +
    `cite lines by those numbers. The project's review rules are attached as ${RULES_URI}; hold the code to them. ` +
    (notes.length > 0 ? notes.join(" ") + " " : "") +
    `Run the run_linter tool on the file for mechanical findings.`;
  return {
    rel: v.rel,
    uri,
    howToRead,
    messages: [
      {
        role: "user",
        content: { type: "resource", resource: { uri, mimeType: mimeTypeFor(v.rel), text: shown } },
      },
      {
        role: "user",
        content: {
          type: "resource",
          resource: { uri: RULES_URI, mimeType: "text/markdown", text: rules },
        },
      },
    ],
  };
}
