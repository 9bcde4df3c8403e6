/**
 * The sandbox worker: the only code that touches the file system, the network or a
 * subprocess. It runs with Deno permissions narrowed to the project root, the GitHub
 * host and the linter binaries, and answers a closed set of operations.
 */
/// <reference lib="deno.worker" />
import { completePath, listDirectory, packListing, readFile } from "./files.ts";
import { runLinter } from "./lint.ts";
import { fetchRaw } from "./fetch_raw.ts";
import { setDefaultRuffEngine } from "../linters/ruff/mod.ts";
import { deliverEngineAnswer, type RelayAnswer, relayedRuffEngine } from "./ruff_relay.ts";
import { gitReview } from "./git.ts";
import { lintProject } from "./lint_project.ts";
import { searchCode } from "./search.ts";
import { listTree } from "./walk.ts";
import type { WorkerProgress, WorkerRequest, WorkerResponse } from "./messages.ts";
import { configurePathPolicy, type PathPolicy } from "../policy/paths.ts";

// ruff checks go to the engine's own worker, which the main thread starts and releases.
setDefaultRuffEngine(relayedRuffEngine);

const inflight = new Map<number, AbortController>();

self.onmessage = async (event: MessageEvent) => {
  const msg = event.data as WorkerRequest | { cancel: number } | { policy: PathPolicy } | RelayAnswer;
  if ("engineAnswer" in msg) {
    deliverEngineAnswer(msg.engineAnswer);
    return;
  }
  if ("policy" in msg) {
    configurePathPolicy(msg.policy);
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
    response = { id: msg.id, ok: false, error: { name: e.name, message: e.message, stack: e.stack ?? "" } };
  } finally {
    inflight.delete(msg.id);
  }
  self.postMessage(response);
};

function dispatch(msg: WorkerRequest, signal: AbortSignal): Promise<unknown> | unknown {
  switch (msg.op) {
    case "listDirectory":
      return packListing(listDirectory(msg.args.root, msg.args.path, msg.args.maxEntries, msg.args.offset));
    case "readFile":
      return readFile(msg.args);
    case "completePath":
      return completePath(msg.args);
    case "runLinter":
      return runLinter(msg.args, signal);
    case "fetchRaw":
      return fetchRaw(msg.args, signal);
    case "gitReview":
      return gitReview(msg.args, signal);
    case "ping":
      return "pong";
    case "lintProject":
      return lintProject(msg.args, (done, total, message) => {
        self.postMessage({ progress: msg.id, done, total, message } satisfies WorkerProgress);
      }, signal);
    case "searchCode":
      return searchCode(msg.args, signal);
    case "listTree":
      return listTree(msg.args.root, msg.args.path, msg.args.depth, msg.args.includeIgnored, msg.args.maxEntries);
  }
}
