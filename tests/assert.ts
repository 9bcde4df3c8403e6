/** The assertions the tests use, from node:assert (jsr:@std/assert cannot be fetched here). */
import * as a from "node:assert/strict";

export const assert: (value: unknown, message?: string) => asserts value = a.ok;
export const assertEquals: <T>(
  actual: unknown,
  expected: T,
  message?: string,
) => asserts actual is T = a.deepStrictEqual;
export const assertMatch: (value: string, re: RegExp, message?: string) => void = a.match;
export const assertRejects = a.rejects;
