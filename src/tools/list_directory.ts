import { z } from "zod";
import { LIMITS } from "../config.ts";
import { formatBytes } from "../policy/paths.ts";
import { cannot, defineTool } from "./types.ts";

const entry = z.object({
  name: z.string().describe("Entry name"),
  type: z.enum(["file", "directory", "symlink", "fifo", "socket", "block-device", "char-device", "other"])
    .describe("Kind of entry (symlinks are not followed in listings)"),
  size: z.number().int().optional().describe("Size in bytes, for regular files"),
});

export const listDirectory = defineTool({
  name: "list_directory",
  title: "List directory",
  description:
    "List the entries of a folder inside the project under review, sorted by name. Folders end with \"/\". " +
    "Paths are relative to the project root (\".\" is the root) or absolute inside it. " +
    `At most ${LIMITS.maxListEntries} entries are returned; the result says when the list was cut.`,
  inputSchema: {
    dir_path: z.string().max(LIMITS.maxPathLength).default(".")
      .describe("Folder to list, relative to the project root (e.g. \"src\") or absolute inside it; \".\" for the root"),
  },
  outputSchema: {
    path: z.string().describe("The folder, relative to the project root"),
    entries: z.array(entry).describe("Entries, sorted by name"),
    total: z.number().int().describe("Number of entries in the folder"),
    truncated: z.boolean().describe("True when more entries exist than were returned"),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ dir_path }, ctx) {
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
