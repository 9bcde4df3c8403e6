/**
 * The sandbox worker: the only code that touches the file system, the network or a
 * subprocess. It runs with Deno permissions narrowed to the project root, the GitHub
 * host and the linter binaries, and answers a closed set of operations.
 */
/// <reference lib="deno.worker" />
import { completePath, listDirectory, packListing, readFile } from "./files.ts";
import {
  deliverEngineAnswer,
  type RelayAnswer,
  relayedRuffBatchEngine,
  relayedRuffEngine,
} from "./ruff_relay.ts";
import type { WorkerProgress, WorkerRequest, WorkerResponse } from "./protocol.ts";
import { configurePathPolicy, type PathPolicy } from "../policy/paths.ts";

/**
 * The modules of the heavier operations (linting, git, search, the tree walk, GitHub) are
 * imported on their first use: a worker that lists and reads holds half the memory of one
 * that loaded them all (about 19 MiB of 38 MiB).
 */
const lazy = <T>(load: () => Promise<T>): () => Promise<T> => {
  let p: Promise<T> | undefined;
  return () => (p ??= load().catch((e) => {
    p = undefined;
    throw e;
  }));
};
// ruff checks go to the engine's own worker, which the main thread starts and releases.
const ruffMod = lazy(() =>
  import("../linters/ruff/mod.ts").then((m) =>
    m.setDefaultRuffEngine(relayedRuffEngine, relayedRuffBatchEngine)
  )
);
const lintMod = lazy(() => ruffMod().then(() => import("./lint.ts")));
const lintProjectMod = lazy(() => ruffMod().then(() => import("./lint_project.ts")));
const lintBaseMod = lazy(() => ruffMod().then(() => import("./lint_base.ts")));
const fetchMod = lazy(() => import("./fetch_raw.ts"));
const gitMod = lazy(() => import("./git.ts"));
const searchMod = lazy(() => import("./search.ts"));
const walkMod = lazy(() => import("./walk.ts"));
const symbolsMod = lazy(() => import("./symbols.ts"));

const inflight = new Map<number, AbortController>();

/** How long after the worker starts it prepares a first search (search.ts warmSearch) when idle. */
const WARM_SEARCH_DELAY_MS = 100;

self.onmessage = async (event: MessageEvent) => {
  const msg = event.data as
    | WorkerRequest
    | { cancel: number }
    | { policy: PathPolicy }
    | { warmSearch: { root: string } }
    | RelayAnswer;
  if ("engineAnswer" in msg) {
    deliverEngineAnswer(msg.engineAnswer);
    return;
  }
  if ("policy" in msg) {
    configurePathPolicy(msg.policy);
    return;
  }
  if ("warmSearch" in msg) {
    const { root } = msg.warmSearch;
    setTimeout(
      () => void searchMod().then((m) => m.warmSearch(root)).catch(() => {}),
      WARM_SEARCH_DELAY_MS,
    );
    return;
  }
  if ("cancel" in msg) {
    inflight.get(msg.cancel)?.abort(new DOMException("cancelled", "AbortError"));
    return;
  }
  const controller = new AbortController();
  inflight.set(msg.id, controller);
  let response: WorkerResponse;
  try {
    response = { id: msg.id, ok: true, value: await dispatch(msg, controller.signal) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    response = {
      id: msg.id,
      ok: false,
      error: { name: e.name, message: e.message, stack: e.stack ?? "" },
    };
  } finally {
    inflight.delete(msg.id);
  }
  self.postMessage(response);
};

async function dispatch(msg: WorkerRequest, signal: AbortSignal): Promise<unknown> {
  switch (msg.op) {
    case "listDirectory":
      return packListing(
        listDirectory(msg.args.root, msg.args.path, msg.args.maxEntries, msg.args.offset),
      );
    case "readFile":
      return readFile(msg.args);
    case "completePath":
      return completePath(msg.args);
    case "runLinter":
      return (await lintMod()).runLinter(msg.args, signal);
    case "fetchRaw":
      return (await fetchMod()).fetchRaw(msg.args, signal);
    case "gitReview":
      return (await gitMod()).gitReview(msg.args, signal);
    case "ping":
      return "pong";
    case "lintProject":
      return (await lintProjectMod()).lintProject(msg.args, (done, total, message) => {
        self.postMessage({ progress: msg.id, done, total, message } satisfies WorkerProgress);
      }, signal);
    case "lintBase":
      return (await lintBaseMod()).lintBase(msg.args, signal);
    case "searchCode":
      return (await searchMod()).searchCode(msg.args, signal);
    case "searchShard":
      return (await searchMod()).searchShard(msg.args, signal);
    case "symbolOutline":
      return (await symbolsMod()).symbolOutline(msg.args, signal);
    case "findSymbol":
      return (await symbolsMod()).findSymbol(msg.args, signal);
    case "findReferences":
      return (await symbolsMod()).findReferences(msg.args, signal);
    case "symbolRange":
      return (await symbolsMod()).symbolRange(msg.args, signal);
    case "enclosingSymbols":
      return (await symbolsMod()).enclosingSymbols(msg.args, signal);
    case "listTree":
      return (await walkMod()).listTree(
        msg.args.root,
        msg.args.path,
        msg.args.depth,
        msg.args.includeIgnored,
        msg.args.maxEntries,
      );
  }
}
