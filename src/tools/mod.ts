/** Every tool the server offers, in the order tools/list shows them. */
import { listDirectory } from "./list_directory.ts";
import { readFile } from "./read_file.ts";
import { runLinter } from "./run_linter.ts";
import { fetchGithubFile } from "./fetch_github_file.ts";
import { searchCode } from "./search_code.ts";
import { reviewChanges } from "./review_changes.ts";
import { getDiff } from "./get_diff.ts";
import { outline } from "./outline.ts";
import { findSymbol } from "./find_symbol.ts";
import { findReferences } from "./find_references.ts";
import type { ToolDef } from "./types.ts";

// deno-lint-ignore no-explicit-any
export const TOOLS: readonly ToolDef<any, any>[] = [
  listDirectory,
  readFile,
  searchCode,
  outline,
  findSymbol,
  findReferences,
  runLinter,
  fetchGithubFile,
  reviewChanges,
  getDiff,
];
