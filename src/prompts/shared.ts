import { completable } from "../sdk.ts";
import { z } from "zod";
import { ProtocolError, ProtocolErrorCode } from "../sdk.ts";
import { LIMITS } from "../config.ts";
import { lexicalCandidate, relativeToRoot } from "../policy/paths.ts";
import type { ResourceContext } from "../resources/types.ts";

/** The file_path argument of a prompt, completed from the project's entries. */
export function filePathArg(ctx: ResourceContext) {
  return completable(
    z.string().min(1).max(LIMITS.maxPathLength).describe("File to review, relative to the project root (e.g. \"src/app.py\")"),
    (value: string) => ctx.sandbox.completePath(value, LIMITS.completionMaxValues),
  );
}

/** Where the file is, relative to the root, and its file:// URI; a path outside the root is refused. */
export function locate(ctx: ResourceContext, filePath: string): { rel: string; uri: string } {
  const c = lexicalCandidate(ctx.config.root, filePath);
  if (!c.ok) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Cannot review ${JSON.stringify(filePath)}: ${c.reason}`);
  const uri = "file://" + c.value.split("/").map(encodeURIComponent).join("/");
  return { rel: relativeToRoot(ctx.config.root, c.value), uri };
}

export function howToRead(rel: string, uri: string): string {
  return `Read the file first: call the read_file tool with file_path "${rel}" (use start_line/end_line for a large file), ` +
    `or read the resource ${uri}. Check it against the project's rules in the resource config://review-rules, ` +
    `and run the run_linter tool on it for mechanical findings.`;
}
