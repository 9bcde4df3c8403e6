/**
 * The server-level safety net: whatever a tool handler returns, what a host forwards to the
 * model (the text content, or the structured content as JSON) stays within the budget. Tools
 * page their own answers; this catches a tool that did not, so the promise holds for every
 * tool, including ones written later.
 */
import type { CallToolResult } from "../sdk.ts";
import { budgetNote, cutText, formatBudget, utf8Length } from "./budget.ts";

/** Bytes a content-only host forwards: the text of every text block. */
export function textViewBytes(result: CallToolResult): number {
  let n = 0;
  for (const c of result.content ?? []) {
    if (c.type === "text") n += utf8Length(c.text);
    else n += utf8Length(JSON.stringify(c));
  }
  return n;
}

/** Bytes a structured-only host forwards: JSON.stringify(structuredContent). */
export function structuredViewBytes(result: CallToolResult): number {
  return result.structuredContent === undefined
    ? 0
    : utf8Length(JSON.stringify(result.structuredContent));
}

/**
 * Returns `result` when both views fit `budgetBytes`. Otherwise: a text-only result is cut at
 * a line boundary with a note; a result with structured content (which an output schema
 * validates, so it cannot be cut blindly) becomes a tool error asking for a narrower request.
 * `onCut` reports the event (a tool that should have paged itself).
 */
export function enforceBudget(
  result: CallToolResult,
  budgetBytes: number,
  onCut?: (info: { textBytes: number; structuredBytes: number }) => void,
): CallToolResult {
  const textBytes = textViewBytes(result);
  const structuredBytes = structuredViewBytes(result);
  if (textBytes <= budgetBytes && structuredBytes <= budgetBytes) return result;
  onCut?.({ textBytes, structuredBytes });
  if (
    result.structuredContent !== undefined || (result.content ?? []).some((c) => c.type !== "text")
  ) {
    return {
      isError: true,
      content: [{
        type: "text",
        text:
          `Cannot answer within the output budget: the answer would be ${
            formatBudget(Math.max(textBytes, structuredBytes))
          }, ` +
          `over ${
            formatBudget(budgetBytes)
          } (the server's --max-output-bytes); narrow the request (a subfolder, a line range, fewer files)`,
      }],
    };
  }
  const note = "\n" + budgetNote(budgetBytes, "narrow the request to see the rest");
  let room = budgetBytes - utf8Length(note);
  const content: CallToolResult["content"] = [];
  for (const c of result.content) {
    if (c.type !== "text" || room <= 0) break;
    const cut = cutText(c.text, room);
    content.push({ ...c, text: cut.text });
    room -= cut.bytes;
    if (cut.cut) break;
  }
  content.push({ type: "text", text: note });
  return { ...result, content };
}
