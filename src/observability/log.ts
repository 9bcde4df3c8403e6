/**
 * Structured logs: JSON lines on stderr, never stdout (stdout belongs to the MCP
 * protocol in stdio mode). Fields that look like credentials and JWT-shaped strings
 * are redacted before anything is written.
 */
import {
  configure,
  dispose,
  getJsonLinesFormatter,
  getLogger,
  getStreamSink,
  type Logger,
  reset,
} from "@logtape/logtape";
import { JWT_PATTERN, redactByField, redactByPattern } from "@logtape/redaction";
import type { LogLevel } from "../options.ts";

/** Field names whose values never reach a log line. */
export const REDACTED_FIELDS: RegExp[] = [
  /token/i,
  /authorization/i,
  /secret/i,
  /pass(word|phrase)/i,
  /cookie/i,
  /api[-_]?key/i,
  /credential/i,
];

/** Bearer credentials and GitHub tokens that may hide inside free text. */
const STRING_PATTERNS = [
  JWT_PATTERN,
  { pattern: /\bBearer\s+[A-Za-z0-9._~+\/=-]+/gi, replacement: "Bearer [REDACTED]" },
  {
    pattern: /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g,
    replacement: "[REDACTED]",
  },
];

const CATEGORY = "code-review-mcp";

/** Sets up logging once; later calls replace the configuration. */
export async function setupLogging(
  level: LogLevel,
  stream: WritableStream<Uint8Array> = Deno.stderr.writable,
): Promise<void> {
  await reset();
  const formatter = redactByPattern(
    getJsonLinesFormatter({ properties: "flatten" }),
    STRING_PATTERNS,
  );
  await configure({
    reset: true,
    sinks: {
      stderr: redactByField(getStreamSink(stream, { formatter }), REDACTED_FIELDS),
    },
    loggers: [
      { category: [CATEGORY], lowestLevel: level, sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}

/** A logger under the server's category, e.g. log("sandbox"). */
export function log(...sub: string[]): Logger {
  return getLogger([CATEGORY, ...sub]);
}

/**
 * Writes out every buffered log line and closes the sinks, right before Deno.exit()
 * (which would drop them). Nothing is logged after it. Never rejects.
 */
export async function closeLogs(): Promise<void> {
  await dispose().catch(() => {});
}
