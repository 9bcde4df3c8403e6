import { z } from "zod";
import { LIMITS } from "../config.ts";
import { formatBytes } from "../policy/paths.ts";
import { renderFilePage, sliceLines } from "../output/file_page.ts";
import { keyBlockOpenAfter } from "../output/redact.ts";
import { defineTool, toolError } from "./types.ts";

/** A text payload, like read_file: text content only, metadata in the header, paged to the budget. */
export const fetchGithubFile = defineTool({
  name: "fetch_github_file",
  title: "Fetch GitHub file",
  description:
    "Fetch one raw file from a GitHub repository (https://raw.githubusercontent.com/{owner}/{repo}/{ref}/{path}), " +
    "for example a reference implementation or an upstream version of a file under review. Public repositories " +
    "always; private ones when the server has a GITHUB_TOKEN. Credential files (.env, keys ...) are refused. " +
    `Text files up to ${
      formatBytes(LIMITS.fetchMaxBytes)
    }, cached for a few minutes; lines come numbered, in pages ` +
    "that fit the output budget (the answer says which start_line continues).",
  inputSchema: {
    owner: z.string().min(1).max(39).describe(
      'Repository owner (user or organisation), e.g. "denoland"',
    ),
    repo: z.string().min(1).max(100).describe('Repository name, e.g. "deno"'),
    path: z.string().min(1).max(1024).describe(
      'File path inside the repository, e.g. "cli/main.rs"',
    ),
    ref: z.string().min(1).max(255).default("HEAD").describe(
      "Branch, tag or commit SHA (default: the repository's default branch)",
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
    openWorldHint: true,
  },
  async handler({ owner, repo, path, ref, start_line, end_line, line_numbers }, ctx) {
    const label = `${owner}/${repo}@${ref}:${path}`;
    if (start_line !== undefined && end_line !== undefined && end_line < start_line) {
      return toolError(
        `Cannot fetch ${
          JSON.stringify(label)
        }: end_line (${end_line}) is before start_line (${start_line})`,
      );
    }
    const r = await ctx.github.get({ owner, repo, ref, path }, ctx.signal, {
      allowSecretFiles: ctx.config.allowSecretFiles,
    });
    if (!r.ok) return toolError(r.reason);
    const first = start_line ?? 1;
    const slice = sliceLines(r.value.text, first, end_line);
    if (first > Math.max(slice.totalLines, 1)) {
      return toolError(
        `Cannot fetch ${
          JSON.stringify(label)
        }: start_line ${first} is past the end of the file, which has ${slice.totalLines} lines`,
      );
    }
    const page = renderFilePage({
      label: `${label} (${formatBytes(r.value.bytes)}${
        r.value.cached === "miss" ? "" : `, cache ${r.value.cached}`
      })`,
      text: slice.text,
      firstLine: first,
      totalLines: slice.totalLines,
      lineNumbers: line_numbers !== false,
      budgetBytes: ctx.config.maxOutputBytes,
      ...(slice.before !== "" && keyBlockOpenAfter(slice.before, false)
        ? { startsInKeyBlock: true }
        : {}),
      continueWith: (line) => `start_line=${line}`,
    });
    return { content: [{ type: "text", text: page.text }] };
  },
});
