import { z } from "zod";
import { LIMITS } from "../config.ts";
import { formatBytes } from "../policy/paths.ts";
import { PROJECT_LIMITS } from "../policy/walk.ts";
import type { CallToolResult } from "../sdk.ts";
import { cannot, defineTool, type ToolContext } from "./types.ts";

const entry = z.object({
  name: z.string().describe("Entry name; with depth > 1, its path below the listed folder (e.g. \"src/app.py\")"),
  type: z.enum(["file", "directory", "symlink", "fifo", "socket", "block-device", "char-device", "other"])
    .describe("Kind of entry (symlinks are not followed in listings)"),
  size: z.number().int().optional().describe("Size in bytes, for regular files"),
  ignored: z.boolean().optional().describe("True when .gitignore or the vendored-folder rule would hide it (include_ignored)"),
});

export const listDirectory = defineTool({
  name: "list_directory",
  title: "List directory",
  description:
    "List a folder inside the project under review, sorted by name; folders end with \"/\". With depth 2 to " +
    `${PROJECT_LIMITS.maxListDepth}, a tree in one call, skipping what .gitignore ignores and vendored folders ` +
    "(node_modules, .venv, dist ...) unless include_ignored. Paths are relative to the project root (\".\" is the root). " +
    `At most ${LIMITS.maxListEntries} entries are returned; the result says when the list was cut.`,
  inputSchema: {
    dir_path: z.string().max(LIMITS.maxPathLength).default(".")
      .describe("Folder to list, relative to the project root (e.g. \"src\") or absolute inside it; \".\" for the root"),
    depth: z.number().int().min(1).max(PROJECT_LIMITS.maxListDepth).default(1)
      .describe(`Levels to show, 1 to ${PROJECT_LIMITS.maxListDepth} (1: the folder's own entries)`),
    include_ignored: z.boolean().default(false)
      .describe("With depth > 1, also show and descend into ignored and vendored entries"),
  },
  outputSchema: {
    path: z.string().describe("The folder, relative to the project root"),
    entries: z.array(entry).describe("Entries, sorted by name (a tree in depth-first order with depth > 1)"),
    total: z.number().int().describe("Number of entries in the folder (depth 1), or entries shown (depth > 1)"),
    truncated: z.boolean().describe("True when more entries exist than were returned"),
    hidden: z.number().int().optional().describe("Entries left out because they are ignored or vendored (depth > 1)"),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ dir_path, depth, include_ignored }, ctx) {
    if (depth > 1) return await tree(ctx, dir_path, depth, include_ignored);
    const r = await ctx.sandbox.listDirectory(dir_path, LIMITS.maxListEntries, ctx.signal);
    if (!r.ok) return cannot("list", dir_path, r.reason);
    const { dir, entries, total, truncated } = r.value;
    const lines = entries.map((e) =>
      e.kind === "directory" ? `${e.name}/` : e.kind === "file" ? `${e.name}  (${formatBytes(e.size ?? 0)})` : `${e.name}  [${e.kind}]`
    );
    let text = entries.length === 0 ? "(empty directory)" : lines.join("\n");
    if (truncated) text += `\n… ${total - entries.length} more entries not shown (limit ${LIMITS.maxListEntries}); list a subfolder to narrow down`;
    return {
      content: [{ type: "text", text }],
      structuredContent: {
        path: dir,
        entries: entries.map((e) => (e.size !== undefined ? { name: e.name, type: e.kind, size: e.size } : { name: e.name, type: e.kind })),
        total,
        truncated,
      },
    };
  },
});

async function tree(ctx: ToolContext, dirPath: string, depth: number, includeIgnored: boolean): Promise<CallToolResult> {
  const r = await ctx.sandbox.listTree(dirPath, depth, includeIgnored, LIMITS.maxListEntries, ctx.signal);
  if (!r.ok) return cannot("list", dirPath, r.reason);
  const { dir, entries, hidden, truncated } = r.value;
  const lines = entries.map((e) => {
    const indent = "  ".repeat(e.depth - 1);
    const name = e.path.slice(e.path.lastIndexOf("/") + 1);
    const mark = e.ignored ? "  [ignored]" : "";
    if (e.kind === "directory") return `${indent}${name}/${mark}`;
    if (e.kind === "file") return `${indent}${name}  (${formatBytes(e.size ?? 0)})${mark}`;
    return `${indent}${name}  [${e.kind}]${mark}`;
  });
  let text = `${dir}/ (depth ${depth})\n` + (entries.length === 0 ? "(empty directory)" : lines.join("\n"));
  if (hidden > 0) text += `\n(${hidden} ignored or vendored entries hidden; include_ignored: true shows them)`;
  if (truncated) text += `\n… cut at ${LIMITS.maxListEntries} entries; list a subfolder or a smaller depth for the rest`;
  return {
    content: [{ type: "text", text }],
    structuredContent: {
      path: dir,
      entries: entries.map((e) => ({
        name: e.path,
        type: e.kind,
        ...(e.size !== undefined ? { size: e.size } : {}),
        ...(e.ignored ? { ignored: true } : {}),
      })),
      total: entries.length,
      truncated,
      hidden,
    },
  };
}
