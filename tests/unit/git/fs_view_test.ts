import { assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { readWholeFile } from "../../../src/git/fs_view.ts";
import { tempDir } from "../../fixtures/git_repo.ts";

Deno.test("readWholeFile() reads a file's bytes exactly, and refuses a folder or a file swapped since its lstat", async () => {
  const d = await tempDir();
  try {
    const big = new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => (i * 31) & 0xff);
    const file = path.join(d.dir, "pack.idx");
    Deno.writeFileSync(file, big);
    const ino = Deno.lstatSync(file).ino;
    assertEquals(readWholeFile(file, ino), big);
    Deno.writeFileSync(path.join(d.dir, "empty"), new Uint8Array(0));
    assertEquals(readWholeFile(path.join(d.dir, "empty")), new Uint8Array(0));
    assertEquals(readWholeFile(d.dir), null);
    // Replaced under the same name after its lstat: another inode, not read.
    Deno.renameSync(file, path.join(d.dir, "old.idx"));
    Deno.writeFileSync(file, new Uint8Array([1, 2, 3]));
    assertEquals(readWholeFile(file, ino), null);
  } finally {
    await d.cleanup();
  }
});
