import { z } from "zod";
import { LIMITS } from "../config.ts";
import { formatBytes } from "../policy/paths.ts";
import { PROJECT_LIMITS } from "../policy/walk.ts";
import { budgetNote, fitRecords, utf8Length } from "../output/budget.ts";
import { decodeCursor, encodeCursor, queryKey } from "../output/cursor.ts";
import { escapeInvisible } from "../output/unicode.ts";
import { cannot, defineTool } from "./types.ts";

const entry = z.object({
  name: z.string().describe(
    'Entry name; with depth > 1, its path below the listed folder (e.g. "src/app.py"); invisible code points shown as <U+XXXX>',
  ),
  type: z.enum([
    "file",
    "directory",
    "symlink",
    "fifo",
    "socket",
    "block-device",
    "char-device",
    "other",
  ])
    .describe("Kind of entry (symlinks are not followed in listings)"),
  size: z.number().int().optional().describe("Size in bytes, for regular files"),
  ignored: z.boolean().optional().describe(
    "True when .gitignore or the vendored-folder rule would hide it (include_ignored)",
  ),
});

/** Bytes kept back from the budget for the header, the footer and the structured fields around the entries. */
const FRAME_BYTES = 1024;

type Entry = { name: string; type: string; size?: number; ignored?: boolean; depth?: number };

/** One line per entry; in a tree its whole path below the folder, so both host views carry the same names. */
function entryLine(e: Entry): string {
  const mark = e.ignored ? "  [ignored]" : "";
  if (e.type === "directory") return `${e.name}/${mark}`;
  if (e.type === "file") return `${e.name}  (${formatBytes(e.size ?? 0)})${mark}`;
  return `${e.name}  [${e.type}]${mark}`;
}

export const listDirectory = defineTool({
  name: "list_directory",
  title: "List directory",
  description:
    'List a folder inside the project under review, sorted by name; folders end with "/". With depth 2 to ' +
    `${PROJECT_LIMITS.maxListDepth}, a tree in one call, skipping what .gitignore ignores and vendored folders ` +
    '(node_modules, .venv, dist ...) unless include_ignored. Paths are relative to the project root ("." is the root). ' +
    "A long listing comes in pages that fit the server's output budget: pass next_cursor back as cursor.",
  inputSchema: {
    dir_path: z.string().max(LIMITS.maxPathLength).default(".")
      .describe(
        'Folder to list, relative to the project root (e.g. "src") or absolute inside it; "." for the root',
      ),
    depth: z.number().int().min(1).max(PROJECT_LIMITS.maxListDepth).default(1)
      .describe(
        `Levels to show, 1 to ${PROJECT_LIMITS.maxListDepth} (1: the folder's own entries)`,
      ),
    include_ignored: z.boolean().default(false)
      .describe("With depth > 1, also show and descend into ignored and vendored entries"),
    cursor: z.string().max(2048).optional().describe(
      "next_cursor from the previous page of the same listing",
    ),
  },
  outputSchema: {
    path: z.string().describe("The folder, relative to the project root"),
    entries: z.array(entry).describe(
      "Entries of this page, sorted by name (a tree in depth-first order with depth > 1)",
    ),
    offset: z.number().int().describe(
      "Position of this page's first entry in the whole listing (0-based)",
    ),
    total: z.number().int().describe(
      "Number of entries in the folder (depth 1), or entries in the tree (depth > 1)",
    ),
    truncated: z.boolean().describe("True when entries after this page exist"),
    next_cursor: z.string().optional().describe("Pass as cursor to get the next page"),
    hidden: z.number().int().optional().describe(
      "Entries left out because they are ignored or vendored (depth > 1)",
    ),
    invisible_characters: z.number().int().describe(
      "Invisible or bidi code points escaped in names",
    ),
  },
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async handler({ dir_path, depth, include_ignored, cursor }, ctx) {
    const key = queryKey({ dir_path, depth, include_ignored });
    let offset = 0;
    if (cursor !== undefined) {
      const c = decodeCursor("list_directory", key, cursor);
      if (!c.ok) return cannot("list", dir_path, c.reason);
      const o = c.value["offset"];
      if (typeof o !== "number" || !Number.isSafeInteger(o) || o < 0) {
        return cannot("list", dir_path, "the cursor is not one this server gave out");
      }
      offset = o;
    }
    let dir: string;
    let total: number;
    let rawEntries: Entry[];
    let walkCut: boolean;
    let hidden: number | undefined;
    if (depth > 1) {
      // The tree walk is deterministic and capped: a later page walks again and skips `offset` entries.
      const r = await ctx.sandbox.listTree(
        dir_path,
        depth,
        include_ignored,
        LIMITS.maxListEntries,
        ctx.signal,
      );
      if (!r.ok) return cannot("list", dir_path, r.reason);
      dir = r.value.dir;
      hidden = r.value.hidden;
      walkCut = r.value.truncated;
      total = r.value.entries.length;
      rawEntries = r.value.entries.slice(offset).map((e) => ({
        name: e.path,
        type: e.kind,
        ...(e.size !== undefined ? { size: e.size } : {}),
        ...(e.ignored ? { ignored: true } : {}),
        depth: e.depth,
      }));
    } else {
      const r = await ctx.sandbox.listDirectory(
        dir_path,
        LIMITS.maxListEntries,
        ctx.signal,
        offset,
      );
      if (!r.ok) return cannot("list", dir_path, r.reason);
      dir = r.value.dir;
      total = r.value.total;
      walkCut = false;
      rawEntries = r.value.entries.map((
        e,
      ) => (e.size !== undefined
        ? { name: e.name, type: e.kind, size: e.size }
        : { name: e.name, type: e.kind })
      );
    }
    let invisible = 0;
    const entries = rawEntries.map((e) => {
      const esc = escapeInvisible(e.name);
      invisible += esc.found.length;
      return { ...e, name: esc.text };
    });
    // Both views (the JSON a structured-only host forwards, the text a content-only host
    // forwards) must fit: the JSON of an entry is the larger of its two renderings.
    const budget = ctx.config.maxOutputBytes;
    const fit = fitRecords(
      entries,
      0,
      budget - FRAME_BYTES,
      (e) => utf8Length(JSON.stringify(e)) + 1,
    );
    const page = entries.slice(0, fit.end);
    const next = offset + page.length;
    const more = next < total;
    const nextCursor = more && page.length > 0
      ? encodeCursor("list_directory", key, { offset: next })
      : undefined;
    const what = depth > 1 ? `${dir}/ (depth ${depth})` : dir;
    const header = total === 0
      ? `[${what}: empty directory]`
      : page.length === 0
      ? `[${what}: no entries from position ${offset + 1} on (${total} in all)]`
      : `[${what}: entries ${offset + 1}-${next} of ${total}]`;
    const lines = [header, ...page.map(entryLine)];
    if (nextCursor !== undefined) {
      lines.push(
        budgetNote(budget, `${total - next} more entries; continue with cursor="${nextCursor}"`)
          .replace("Output cut to fit", "Listing paged to fit"),
      );
    }
    if (hidden !== undefined && hidden > 0) {
      lines.push(
        `(${hidden} ignored or vendored entries hidden; include_ignored: true shows them)`,
      );
    }
    if (walkCut && !more) {
      lines.push(
        `… the tree is cut at ${LIMITS.maxListEntries} entries; list a subfolder or a smaller depth for the rest`,
      );
    }
    if (invisible > 0) {
      lines.push(
        `[${invisible} invisible code point${
          invisible === 1 ? "" : "s"
        } in names shown as <U+XXXX>]`,
      );
    }
    return {
      content: [{ type: "text", text: lines.join("\n") }],
      structuredContent: {
        path: dir,
        entries: page.map(({ depth: _d, ...e }) => e),
        offset,
        total,
        truncated: more || walkCut,
        ...(nextCursor !== undefined ? { next_cursor: nextCursor } : {}),
        ...(hidden !== undefined ? { hidden } : {}),
        invisible_characters: invisible,
      },
    };
  },
});
