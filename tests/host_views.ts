/**
 * Hosts read tool results differently (modelcontextprotocol issue 1411): Claude Code forwards
 * only JSON.stringify(structuredContent) when a result has it, other hosts only the text
 * content. assertEveryHostSeesPayload() reads a result both ways and checks that each sees the
 * whole payload, and that a text payload travels once (no structured copy).
 */
import { assert } from "./assert.ts";
import type { CallToolResult } from "../src/sdk.ts";

export interface HostViews {
  /** What a host that forwards only text content sends to the model. */
  contentOnly: string;
  /** What a host that forwards only structured content sends (the text when there is none). */
  structuredOnly: string;
}

export function hostViews(result: CallToolResult): HostViews {
  const contentOnly = result.content.map((c) => (c.type === "text" ? c.text : JSON.stringify(c)))
    .join("\n");
  const structuredOnly = result.structuredContent !== undefined
    ? JSON.stringify(result.structuredContent)
    : contentOnly;
  return { contentOnly, structuredOnly };
}

/** Every string leaf of a value, with its key path ("entries.3.name"). */
function stringLeaves(v: unknown, at = ""): [string, string][] {
  if (typeof v === "string") return [[at, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringLeaves(x, `${at}.${i}`));
  if (v !== null && typeof v === "object") {
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) =>
      stringLeaves(x, at === "" ? k : `${at}.${k}`)
    );
  }
  return [];
}

export interface PayloadOptions {
  /** Facts both hosts must see, e.g. a file's lines, a finding's line number "app.py:12". */
  facts?: readonly string[];
  /**
   * Structured keys whose values the text conveys another way (an entry's type as a trailing
   * "/" or a size), by last key name. Every other string in structuredContent must be in the text.
   */
  conveyedOtherwise?: readonly string[];
  /** The tool's payload is text: no structured copy may travel with it. */
  textPayload?: boolean;
}

/**
 * Checks a tool result as a content-only host and as a structured-only host reads it: each sees
 * every fact; the text carries every string of the structured content (so a content-only host
 * loses nothing); a text payload comes without structured content.
 */
export function assertEveryHostSeesPayload(
  result: CallToolResult,
  options: PayloadOptions = {},
): void {
  const views = hostViews(result);
  for (const fact of options.facts ?? []) {
    assert(views.contentOnly.includes(fact), `a content-only host misses ${JSON.stringify(fact)}`);
    const inJson = views.structuredOnly.includes(fact) ||
      views.structuredOnly.includes(JSON.stringify(fact).slice(1, -1));
    assert(inJson, `a structured-only host misses ${JSON.stringify(fact)}`);
  }
  if (options.textPayload) {
    assert(
      result.structuredContent === undefined,
      "a text payload must not travel twice (structuredContent present)",
    );
  }
  if (result.structuredContent !== undefined) {
    const skip = new Set(options.conveyedOtherwise ?? []);
    for (const [key, value] of stringLeaves(result.structuredContent)) {
      const last = key.split(".").filter((k) => !/^\d+$/.test(k)).pop() ?? key;
      if (skip.has(last) || value === "") continue;
      // A multi-line value may be indented in the text rendering: each of its lines must be there.
      for (const line of value.split("\n").filter((l) => l.trim() !== "")) {
        assert(
          views.contentOnly.includes(line),
          `a content-only host misses structuredContent.${key} = ${JSON.stringify(value)}`,
        );
      }
    }
  }
}
