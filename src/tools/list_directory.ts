import { z } from "zod";
import { LIMITS } from "../config.ts";
import { formatBytes } from "../policy/paths.ts";
import { budgetNote, fitRecords, utf8Length } from "../output/budget.ts";
import { decodeCursor, encodeCursor, queryKey } from "../output/cursor.ts";
import { escapeInvisible } from "../output/unicode.ts";
import { cannot, defineTool } from "./types.ts";

const entry = z.object({
  name: z.string().describe("Entry name (invisible code points shown as <U+XXXX>)"),
  type: z.enum(["file", "directory", "symlink", "fifo", "socket", "block-device", "char-device", "other"])
    .describe("Kind of entry (symlinks are not followed in listings)"),
  size: z.number().int().optional().describe("Size in bytes, for regular files"),
});

/** Bytes kept back from the budget for the header, the footer and the structured fields around the entries. */
const FRAME_BYTES = 1024;

type Entry = { name: string; type: string; size?: number };

function entryLine(e: Entry): string {
  return e.type === "directory" ? `${e.name}/` : e.type === "file" ? `${e.name}  (${formatBytes(e.size ?? 0)})` : `${e.name}  [${e.type}]`;
}

export const listDirectory = defineTool({
  name: "list_directory",
  title: "List directory",
  description:
    "List the entries of a folder inside the project under review, sorted by name. Folders end with \"/\". " +
    "Paths are relative to the project root (\".\" is the root) or absolute inside it. A long listing comes in pages " +
    "that fit the server's output budget; pass next_cursor back as cursor for the next page.",
  inputSchema: {
    dir_path: z.string().max(LIMITS.maxPathLength).default(".")
      .describe("Folder to list, relative to the project root (e.g. \"src\") or absolute inside it; \".\" for the root"),
    cursor: z.string().max(2048).optional().describe("next_cursor from the previous page of the same listing"),
  },
  outputSchema: {
    path: z.string().describe("The folder, relative to the project root"),
    entries: z.array(entry).describe("Entries of this page, sorted by name"),
    offset: z.number().int().describe("Position of this page's first entry in the whole listing (0-based)"),
    total: z.number().int().describe("Number of entries in the folder"),
    truncated: z.boolean().describe("True when entries after this page exist"),
    next_cursor: z.string().optional().describe("Pass as cursor to get the next page"),
    invisible_characters: z.number().int().describe("Invisible or bidi code points escaped in names"),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(args, ctx) {
    const { dir_path, cursor } = args;
    const key = queryKey({ dir_path });
    let offset = 0;
    if (cursor !== undefined) {
      const c = decodeCursor("list_directory", key, cursor);
      if (!c.ok) return cannot("list", dir_path, c.reason);
      const o = c.state["offset"];
      if (typeof o !== "number" || !Number.isSafeInteger(o) || o < 0) return cannot("list", dir_path, "the cursor is not one this server gave out");
      offset = o;
    }
    const r = await ctx.sandbox.listDirectory(dir_path, LIMITS.maxListEntries, ctx.signal, offset);
    if (!r.ok) return cannot("list", dir_path, r.reason);
    const { dir, total } = r.value;
    let invisible = 0;
    const entries: Entry[] = r.value.entries.map((e) => {
      const esc = escapeInvisible(e.name);
      invisible += esc.found.length;
      return e.size !== undefined ? { name: esc.text, type: e.kind, size: e.size } : { name: esc.text, type: e.kind };
    });
    // Both views (the JSON a structured-only host forwards, the text a content-only host
    // forwards) must fit: the JSON of an entry is the larger of its two renderings.
    const budget = ctx.config.maxOutputBytes;
    const fit = fitRecords(entries, 0, budget - FRAME_BYTES, (e) => utf8Length(JSON.stringify(e)) + 1);
    const page = entries.slice(0, fit.end);
    const next = offset + page.length;
    const more = next < total || r.value.truncated;
    const nextCursor = more && page.length > 0 ? encodeCursor("list_directory", key, { offset: next }) : undefined;
    const header = total === 0
      ? `[${dir}: empty directory]`
      : page.length === 0
      ? `[${dir}: no entries from position ${offset + 1} on (${total} in all)]`
      : `[${dir}: entries ${offset + 1}-${next} of ${total}]`;
    const lines = [header, ...page.map(entryLine)];
    if (nextCursor !== undefined) lines.push(budgetNote(budget, `${total - next} more entries; continue with cursor="${nextCursor}"`).replace("Output cut to fit", "Listing paged to fit"));
    if (invisible > 0) lines.push(`[${invisible} invisible code point${invisible === 1 ? "" : "s"} in names shown as <U+XXXX>]`);
    return {
      content: [{ type: "text", text: lines.join("\n") }],
      structuredContent: {
        path: dir,
        entries: page,
        offset,
        total,
        truncated: more,
        ...(nextCursor !== undefined ? { next_cursor: nextCursor } : {}),
        invisible_characters: invisible,
      },
    };
  },
});
