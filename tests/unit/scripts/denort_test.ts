/** Finding a runtime for `deno compile`: which target an executable is for, and in what order sources count. */
import { assert, assertEquals, assertMatch } from "../../assert.ts";
import * as path from "node:path";
import {
  cachedRuntimePath,
  executableTarget,
  findRuntime,
  missingRuntimeMessage,
} from "../../../scripts/lib/denort.ts";
import { TARGETS } from "../../../scripts/lib/targets.ts";

function header(fill: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const b = new Uint8Array(512);
  fill(new DataView(b.buffer), b);
  return b;
}

Deno.test("executableTarget() reads ELF, Mach-O and PE headers", async () => {
  assertEquals(executableTarget(await Deno.readFile(Deno.execPath())), Deno.build.target);
  const elf = (machine: number) =>
    header((v, b) => {
      b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1], 0);
      v.setUint16(18, machine, true);
    });
  assertEquals(executableTarget(elf(0xb7)), "aarch64-unknown-linux-gnu");
  assertEquals(executableTarget(elf(0x3e)), "x86_64-unknown-linux-gnu");
  assertEquals(executableTarget(elf(0x28)), undefined);
  const macho = (cpu: number) =>
    header((v) => {
      v.setUint32(0, 0xfeedfacf, true);
      v.setUint32(4, cpu, true);
    });
  assertEquals(executableTarget(macho(0x0100000c)), "aarch64-apple-darwin");
  assertEquals(executableTarget(macho(0x01000007)), "x86_64-apple-darwin");
  const pe = header((v, b) => {
    b.set([0x4d, 0x5a], 0);
    v.setUint32(0x3c, 0x80, true);
    v.setUint32(0x80, 0x00004550, true);
    v.setUint16(0x84, 0x8664, true);
  });
  assertEquals(executableTarget(pe), "x86_64-pc-windows-msvc");
  assertEquals(
    executableTarget(new TextEncoder().encode("#!/bin/sh\necho not a runtime\n".padEnd(100))),
    undefined,
  );
});

Deno.test("findRuntime(): DENORT_BIN only for its own target, then the cache, then the host", async () => {
  const denoDir = await Deno.makeTempDir();
  try {
    let asked = 0;
    const lookup = {
      denortBin: { path: "/x/denort", target: "aarch64-apple-darwin" },
      denoDir,
      denoVersion: "2.9.6",
      hostReachable: () => {
        asked++;
        return Promise.resolve(false);
      },
    };
    assertEquals(await findRuntime("aarch64-apple-darwin", lookup), {
      kind: "env",
      path: "/x/denort",
    });
    assertEquals(asked, 0);
    assertEquals(await findRuntime("x86_64-unknown-linux-gnu", lookup), undefined);
    assertEquals(asked, 1);
    const cached = cachedRuntimePath(denoDir, "2.9.6", "x86_64-unknown-linux-gnu");
    assertEquals(
      cached,
      path.join(denoDir, "dl/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip"),
    );
    await Deno.mkdir(path.dirname(cached), { recursive: true });
    await Deno.writeFile(cached, new Uint8Array(1));
    assertEquals(await findRuntime("x86_64-unknown-linux-gnu", lookup), {
      kind: "cache",
      path: cached,
    });
    assertEquals(
      await findRuntime("x86_64-pc-windows-msvc", {
        ...lookup,
        hostReachable: () => Promise.resolve(true),
      }),
      {
        kind: "download",
      },
    );
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});

Deno.test("missingRuntimeMessage() is one line naming the targets and all three ways out", () => {
  const msg = missingRuntimeMessage(TARGETS.map((t) => t.triple), "2.9.6", "/root/.cache/deno");
  assert(!msg.includes("\n"));
  for (const t of TARGETS) assert(msg.includes(t.triple));
  assertMatch(msg, /DENORT_BIN/);
  assertMatch(msg, /\/root\/\.cache\/deno\/dl\/release\/v2\.9\.6/);
  assertMatch(msg, /dl\.deno\.land:443/);
});
