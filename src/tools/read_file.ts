import { z } from "zod";
import { LIMITS } from "../config.ts";
import { formatBytes } from "../policy/paths.ts";
import { cannot, defineTool, toolError } from "./types.ts";

export const readFile = defineTool({
  name: "read_file",
  title: "Read file",
  description:
    "Read a text file inside the project under review. Give start_line and end_line (1-based, inclusive) to read " +
    `part of a file; files over ${formatBytes(LIMITS.maxFileBytes)} can only be read by line range. ` +
    "Binary files are refused.",
  inputSchema: {
    file_path: z.string().min(1).max(LIMITS.maxPathLength)
      .describe("File to read, relative to the project root (e.g. \"src/app.py\") or absolute inside it"),
    start_line: z.number().int().min(1).optional().describe("First line to return, 1-based (default: 1)"),
    end_line: z.number().int().min(1).optional().describe("Last line to return, inclusive (default: the end of the file)"),
  },
  outputSchema: {
    path: z.string().describe("The file, relative to the project root"),
    content: z.string().describe("The text that was read"),
    start_line: z.number().int().describe("First line returned (0 when nothing was returned)"),
    end_line: z.number().int().describe("Last line returned (0 when nothing was returned)"),
    total_lines: z.number().int().optional().describe("Lines in the whole file, when the read reached its end"),
    size: z.number().int().describe("File size in bytes"),
    truncated: z.boolean().describe("True when the range was cut short by the output limit"),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ file_path, start_line, end_line }, ctx) {
    if (start_line !== undefined && end_line !== undefined && end_line < start_line) {
      return toolError(`Cannot read ${JSON.stringify(file_path)}: end_line (${end_line}) is before start_line (${start_line})`);
    }
    const r = await ctx.sandbox.readFile({
      path: file_path,
      maxBytes: LIMITS.maxFileBytes,
      maxOutputBytes: LIMITS.maxReadOutputBytes,
      ...(start_line !== undefined ? { startLine: start_line } : {}),
      ...(end_line !== undefined ? { endLine: end_line } : {}),
    }, ctx.signal);
    if (!r.ok) return cannot("read", file_path, r.reason);
    const v = r.value;
    const content: { type: "text"; text: string }[] = [{ type: "text", text: v.text === "" ? (v.size === 0 ? "(empty file)" : "(no lines in that range)") : v.text }];
    if (v.truncated) {
      content.push({
        type: "text",
        text: `[Output stopped at line ${v.endLine} (limit ${formatBytes(LIMITS.maxReadOutputBytes)}); continue with start_line=${v.endLine + 1}]`,
      });
    } else if (start_line !== undefined || end_line !== undefined) {
      const total = v.totalLines !== undefined ? ` of ${v.totalLines}` : "";
      content.push({ type: "text", text: `[Lines ${v.startLine}-${v.endLine}${total} of ${v.rel}]` });
    }
    return {
      content,
      structuredContent: {
        path: v.rel,
        content: v.text,
        start_line: v.startLine,
        end_line: v.endLine,
        ...(v.totalLines !== undefined ? { total_lines: v.totalLines } : {}),
        size: v.size,
        truncated: v.truncated,
      },
    };
  },
});
