/**
 * The sandbox worker's hop, measured in a process started with the server's own `deno run`
 * flags (from the permissions module), so direct calls pay the same path permission checks
 * as the worker's: listDirectory called directly and through the worker, interleaved, and a
 * ping round trip. Prints one JSON line. Usage: worker_hop.ts ROOT DIR CALLS
 */
import { SandboxClient } from "../../src/sandbox/client.ts";
import { listDirectory } from "../../src/sandbox/files.ts";
import { GITHUB_NET, LINTER_BINARIES } from "../../src/permissions.ts";
import { LIMITS } from "../../src/config.ts";
import { summarize } from "./stats.ts";

const [root, dir, callsArg] = Deno.args;
if (!root || !dir) throw new Error("usage: worker_hop.ts ROOT DIR CALLS");
const calls = Number(callsArg ?? 1000);
const BATCH = 50;

const sandbox = new SandboxClient({ root, net: GITHUB_NET, run: [...LINTER_BINARIES] });
const direct: number[] = [];
const worker: number[] = [];
const ping: number[] = [];
try {
  for (let i = 0; i < BATCH; i++) {
    listDirectory(root, dir, LIMITS.maxListEntries);
    await sandbox.listDirectory(dir, LIMITS.maxListEntries);
    await sandbox.call("ping", {});
  }
  while (direct.length < calls) {
    for (let k = 0; k < BATCH; k++) {
      const t = performance.now();
      const r = listDirectory(root, dir, LIMITS.maxListEntries);
      direct.push(performance.now() - t);
      if (!r.ok) throw new Error(r.reason);
    }
    for (let k = 0; k < BATCH; k++) {
      const t = performance.now();
      const r = await sandbox.listDirectory(dir, LIMITS.maxListEntries);
      worker.push(performance.now() - t);
      if (!r.ok) throw new Error(r.reason);
    }
    for (let k = 0; k < BATCH; k++) {
      const t = performance.now();
      await sandbox.call("ping", {});
      ping.push(performance.now() - t);
    }
  }
} finally {
  sandbox.close();
}
console.log(
  JSON.stringify({ direct: summarize(direct), worker: summarize(worker), ping: summarize(ping) }),
);
