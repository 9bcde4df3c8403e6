import { z } from "zod";
import { LIMITS } from "../config.ts";
import { renderFilePage } from "../output/file_page.ts";
import { cannot, defineTool, toolError } from "./types.ts";

/**
 * read_file's payload is the file's text, so it comes as text content alone (no structured
 * copy: hosts that read structuredContent would see only metadata, and the wire would carry
 * the text twice). Its metadata is the header line; the page fits the output budget.
 */
export const readFile = defineTool({
  name: "read_file",
  title: "Read file",
  description:
    'Read a text file inside the project under review. Lines come numbered ("  12<TAB>code") so findings can cite them; ' +
    "a header gives the lines shown and the file's total_lines. A long file comes in pages that fit the server's output " +
    "budget: the answer says which start_line continues. start_line/end_line (1-based, inclusive) read a part. " +
    "Binary files and credential files (.env, private keys ...) are refused; secrets in the text are redacted.",
  inputSchema: {
    file_path: z.string().min(1).max(LIMITS.maxPathLength)
      .describe(
        'File to read, relative to the project root (e.g. "src/app.py") or absolute inside it',
      ),
    start_line: z.number().int().min(1).optional().describe(
      "First line to return, 1-based (default: 1)",
    ),
    end_line: z.number().int().min(1).optional().describe(
      "Last line to return, inclusive (default: the end of the file, or of the page)",
    ),
    line_numbers: z.boolean().default(true).describe(
      "Prefix each line with its number (default: true)",
    ),
  },
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async handler({ file_path, start_line, end_line, line_numbers }, ctx) {
    if (start_line !== undefined && end_line !== undefined && end_line < start_line) {
      return toolError(
        `Cannot read ${
          JSON.stringify(file_path)
        }: end_line (${end_line}) is before start_line (${start_line})`,
      );
    }
    const budget = ctx.config.maxOutputBytes;
    const first = start_line ?? 1;
    const r = await ctx.sandbox.readFile({
      path: file_path,
      maxBytes: LIMITS.maxFileBytes,
      maxOutputBytes: budget,
      startLine: first,
      ...(end_line !== undefined ? { endLine: end_line } : {}),
      countAllLines: true,
      allowSecretFiles: ctx.config.allowSecretFiles,
    }, ctx.signal);
    if (!r.ok) return cannot("read", file_path, r.reason);
    const v = r.value;
    if (v.totalLines !== undefined && first > Math.max(v.totalLines, 1)) {
      return cannot(
        "read",
        file_path,
        `start_line ${first} is past the end of the file, which has ${v.totalLines} line${
          v.totalLines === 1 ? "" : "s"
        }`,
      );
    }
    const page = renderFilePage({
      label: v.rel,
      text: v.text,
      firstLine: v.startLine === 0 ? first : v.startLine,
      ...(v.totalLines !== undefined ? { totalLines: v.totalLines } : {}),
      lineNumbers: line_numbers !== false,
      budgetBytes: budget,
      ...(v.lineCut ? { lineCut: true } : {}),
      truncated: v.truncated,
      ...(v.startsInKeyBlock ? { startsInKeyBlock: true } : {}),
      continueWith: (line) => `start_line=${line}`,
    });
    return { content: [{ type: "text", text: page.text }] };
  },
});
