/** Shared fixtures and readers for the ruff engine tests. */
import type { Diagnostic, ParseResult } from "../../../../src/linters/types.ts";

/** Real path of tests/fixtures/ruff/<rel>. */
export function fixture(rel = ""): string {
  return Deno.realPathSync(new URL(`../../../fixtures/ruff/${rel}`, import.meta.url));
}

/** A reader over the real file system that records every path it is asked for. */
export function recordingReader(log: string[] = []): (absPath: string) => Promise<string | null> {
  return async (absPath) => {
    log.push(absPath);
    try {
      return await Deno.readTextFile(absPath);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
  };
}

/** The diagnostics of a successful result; fails the test with the error otherwise. */
export function diagnosticsOf(result: ParseResult): Diagnostic[] {
  if (!result.ok) throw new Error(`expected diagnostics, got error: ${result.reason}`);
  return result.value;
}

/** The sorted, de-duplicated codes of a successful result. */
export function codesOf(result: ParseResult): string[] {
  return [...new Set(diagnosticsOf(result).map((d) => d.code))].sort();
}

/** The error of a failed result; fails the test otherwise. */
export function errorOf(result: ParseResult): string {
  if (result.ok) throw new Error(`expected an error, got ${result.value.length} diagnostics`);
  return result.reason;
}
