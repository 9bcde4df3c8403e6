/** The closed set of operations the sandbox worker answers, with their arguments. */
import type { CompletionRequest, ReadFileRequest } from "./files.ts";
import type { LintRequest } from "./lint.ts";
import type { FetchRawRequest } from "./protocol.ts";
import type { GitReviewRequest } from "./git.ts";
import type { LintProjectRequest } from "./lint_project.ts";
import type { SearchRequest } from "./search.ts";

export type WorkerRequest =
  | {
    id: number;
    op: "listDirectory";
    args: { root: string; path: string; maxEntries: number; offset?: number };
  }
  | { id: number; op: "readFile"; args: ReadFileRequest }
  | { id: number; op: "completePath"; args: CompletionRequest }
  | { id: number; op: "runLinter"; args: LintRequest }
  | { id: number; op: "fetchRaw"; args: FetchRawRequest }
  | { id: number; op: "gitReview"; args: GitReviewRequest }
  | { id: number; op: "ping"; args: Record<string, never> }
  | { id: number; op: "lintProject"; args: LintProjectRequest }
  | { id: number; op: "searchCode"; args: SearchRequest }
  | {
    id: number;
    op: "listTree";
    args: {
      root: string;
      path: string;
      depth: number;
      includeIgnored: boolean;
      maxEntries: number;
    };
  };

/** Progress of a long operation, sent before its response (project lint: files done of total). */
export interface WorkerProgress {
  progress: number;
  done: number;
  total: number;
  message: string;
}

export type WorkerResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; stack: string } };
