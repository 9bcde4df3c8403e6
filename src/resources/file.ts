/**
 * file://{path}: a file inside the project root, read with read_file's policy. The
 * URI is decoded once, then resolved and checked; only an empty host (or
 * "localhost") is accepted. Completion lists matching entries inside the root.
 */
import { ResourceTemplate } from "../sdk.ts";
import { UriTemplate } from "../sdk.ts";
import {
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  ResourceNotFoundError,
} from "../sdk.ts";
import * as path from "node:path";
import { LIMITS } from "../config.ts";
import type { ResourceContext } from "./types.ts";
import { renderFilePage } from "../output/file_page.ts";
import type { Result } from "../result.ts";

/**
 * `file://{path}` as advertised, but matching every file: URI: RFC 6570 simple
 * expansion cannot carry "/", and WHATWG URL parsing lower-cases a file URI's host,
 * so the path is taken from the URI text itself and judged by parseFileUri.
 */
class FileUriTemplate extends UriTemplate {
  constructor() {
    super("file://{path}");
  }
  override match(uri: string): Record<string, string> | null {
    return uri.startsWith("file://") ? { path: uri.slice("file://".length) } : null;
  }
}

/**
 * The absolute path a file URI names, or why it is refused.
 *
 * @example parseFileUri("file:///proj/a%20b.py") // { ok: true, value: "/proj/a b.py" }
 * @example parseFileUri("file://evil.example/etc/passwd") // { ok: false, reason: "file URIs with a host (evil.example) are not served" }
 */
export function parseFileUri(
  uri: string,
): Result<string> {
  if (!uri.startsWith("file://")) return { ok: false, reason: "not a file:// URI" };
  let rest = uri.slice("file://".length);
  if (rest.toLowerCase().startsWith("localhost/")) rest = rest.slice("localhost".length);
  if (!rest.startsWith("/")) {
    const host = rest.split("/")[0] ?? "";
    return {
      ok: false,
      reason:
        `file URIs with a host (${host}) are not served; use file:///absolute/path inside the project root`,
    };
  }
  if (rest.includes("?") || rest.includes("#")) {
    return { ok: false, reason: "file URIs with a query or fragment are not served" };
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return { ok: false, reason: "the URI has a malformed percent-encoding" };
  }
  return { ok: true, value: decoded };
}

const MIME: Record<string, string> = {
  ".py": "text/x-python",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".ts": "text/x-typescript",
  ".json": "application/json",
  ".md": "text/markdown",
  ".sh": "text/x-shellscript",
  ".html": "text/html",
  ".css": "text/css",
  ".toml": "application/toml",
  ".yaml": "application/yaml",
  ".yml": "application/yaml",
};

export function mimeTypeFor(p: string): string {
  return MIME[path.extname(p).toLowerCase()] ?? "text/plain";
}

export function fileResource(ctx: ResourceContext) {
  const template = new ResourceTemplate(new FileUriTemplate(), {
    list: undefined,
    complete: {
      path: async (value: string) => {
        const root = ctx.config.root;
        let prefix = value;
        if (prefix.startsWith("/")) {
          if (prefix === root) prefix = "";
          else if (prefix.startsWith(root + "/")) {
            prefix = prefix.slice(root.length).replace(/^\/+/, "");
          } else return [];
        }
        const rels = await ctx.sandbox.completePath(
          prefix,
          LIMITS.completionMaxValues,
          ctx.config.allowSecretFiles,
        );
        // Concatenation, not path.join: join keeps a folder's trailing "/", and adding one made "//".
        const base = root.endsWith("/") ? root : root + "/";
        return rels.map((r) => base + r);
      },
    },
  });
  return {
    name: "file",
    template,
    metadata: {
      title: "Project file",
      description:
        "A text file inside the project under review, as file:///absolute/path (the same policy as read_file; " +
        "a file over the output budget is cut, with a note saying how to read on).",
      mimeType: "text/plain",
    },
    async read(uri: URL): Promise<ReadResourceResult> {
      const parsed = parseFileUri(uri.href);
      if (!parsed.ok) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Cannot read ${JSON.stringify(uri.href)}: ${parsed.reason}`,
        );
      }
      const budget = ctx.config.maxOutputBytes;
      const r = await ctx.sandbox.readFile({
        path: parsed.value,
        maxBytes: LIMITS.maxFileBytes,
        maxOutputBytes: budget,
        startLine: 1,
        countAllLines: true,
        allowSecretFiles: ctx.config.allowSecretFiles,
      });
      if (!r.ok) {
        const message = `Cannot read ${JSON.stringify(parsed.value)}: ${r.reason}`;
        // Not found: -32602 with data { uri } on every protocol revision (SEP-2164); other refusals plain -32602.
        if (r.reason === "no such file or directory") {
          throw new ResourceNotFoundError(uri.href, message);
        }
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, message);
      }
      const v = r.value;
      // The file's own text (no header, no line numbers), within the budget, secrets redacted.
      const page = renderFilePage({
        label: v.rel,
        text: v.text,
        firstLine: 1,
        ...(v.totalLines !== undefined ? { totalLines: v.totalLines } : {}),
        lineNumbers: false,
        budgetBytes: budget,
        ...(v.lineCut ? { lineCut: true } : {}),
        truncated: v.truncated,
        noHeader: true,
        continueWith: (line) =>
          `the read_file tool with file_path ${JSON.stringify(v.rel)} and start_line=${line}`,
      });
      return { contents: [{ uri: uri.href, mimeType: mimeTypeFor(v.rel), text: page.text }] };
    },
  };
}
