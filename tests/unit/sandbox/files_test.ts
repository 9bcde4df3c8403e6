import { assert, assertEquals, assertMatch } from "../../assert.ts";
import * as path from "node:path";
import { completePath, countLines, listDirectory, readFile } from "../../../src/sandbox/files.ts";
import { configurePathPolicy } from "../../../src/policy/paths.ts";
import { makeTree } from "../../fixtures/tree.ts";

const MiB = 1024 * 1024;

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const tree = await makeTree();
  try {
    await fn(tree.root);
  } finally {
    await tree.cleanup();
  }
}

Deno.test("readFile() reads a whole file and counts its lines", () =>
  withRoot(async (root) => {
    const r = await readFile({ root, path: "src/app.py", maxBytes: MiB, maxOutputBytes: MiB });
    assert(r.ok);
    assertEquals(r.value.totalLines, 5);
    assertEquals(r.value.startLine, 1);
    assertEquals(r.value.endLine, 5);
  }));

Deno.test("readFile() line ranges: inside, past the end, on a file without a final newline", () =>
  withRoot(async (root) => {
    await Deno.writeTextFile(path.join(root, "n.txt"), "a\nb\nc\nd");
    const table: [
      number | undefined,
      number | undefined,
      string,
      number,
      number,
      number | undefined,
    ][] = [
      [2, 3, "b\nc\n", 2, 3, undefined],
      [3, 99, "c\nd", 3, 4, 4],
      [4, 4, "d", 4, 4, undefined],
      [1, undefined, "a\nb\nc\nd", 1, 4, 4],
      [undefined, 1, "a\n", 1, 1, undefined],
      [9, 10, "", 0, 0, 4],
    ];
    for (const [start, end, text, s, e, total] of table) {
      const r = await readFile({
        root,
        path: "n.txt",
        maxBytes: MiB,
        maxOutputBytes: MiB,
        ...(start ? { startLine: start } : {}),
        ...(end ? { endLine: end } : {}),
      });
      assert(r.ok, `${start}-${end}`);
      assertEquals(r.value.text, text, `${start}-${end}`);
      assertEquals([r.value.startLine, r.value.endLine], [s, e], `${start}-${end}`);
      if (total !== undefined) assertEquals(r.value.totalLines, total, `${start}-${end}`);
    }
  }));

Deno.test("readFile() serves a line range of a file far over the size cap without reading it whole", () =>
  withRoot(async (root) => {
    const line = "y".repeat(99) + "\n";
    const f = await Deno.open(path.join(root, "huge.txt"), { write: true, create: true });
    const block = new TextEncoder().encode(line.repeat(10_000)); // ~1 MB
    for (let i = 0; i < 20; i++) await f.write(block);
    f.close();
    const whole = await readFile({ root, path: "huge.txt", maxBytes: MiB, maxOutputBytes: MiB });
    assert(!whole.ok);
    assertMatch(whole.reason, /over the 1 MiB limit: ask for a line range/);
    const r = await readFile({
      root,
      path: "huge.txt",
      maxBytes: MiB,
      maxOutputBytes: MiB,
      startLine: 100_000,
      endLine: 100_002,
    });
    assert(r.ok);
    assertEquals(r.value.text, line.repeat(3));
  }));

Deno.test("readFile() stops a range at the output cap and says so", () =>
  withRoot(async (root) => {
    await Deno.writeTextFile(path.join(root, "w.txt"), "0123456789\n".repeat(100));
    const r = await readFile({
      root,
      path: "w.txt",
      maxBytes: MiB,
      maxOutputBytes: 55,
      startLine: 1,
      endLine: 100,
    });
    assert(r.ok);
    assert(r.value.truncated);
    assertEquals(r.value.endLine, 5);
  }));

Deno.test("readFile() refuses binary files and invalid UTF-8", () =>
  withRoot(async (root) => {
    await Deno.writeFile(path.join(root, "nul.bin"), new Uint8Array([65, 0, 66]));
    await Deno.writeFile(path.join(root, "latin1.txt"), new Uint8Array([0x63, 0x61, 0x66, 0xe9]));
    for (const p of ["nul.bin", "latin1.txt"]) {
      const whole = await readFile({ root, path: p, maxBytes: MiB, maxOutputBytes: MiB });
      assert(!whole.ok);
      assertMatch(whole.reason, /binary|UTF-8/);
      const ranged = await readFile({
        root,
        path: p,
        maxBytes: MiB,
        maxOutputBytes: MiB,
        startLine: 1,
      });
      assert(!ranged.ok);
    }
  }));

Deno.test("readFile() refuses a FIFO at once instead of blocking on it", () =>
  withRoot(async (root) => {
    const r = await readFile({ root, path: "fifo", maxBytes: MiB, maxOutputBytes: MiB });
    assert(!r.ok);
    assertMatch(r.reason, /FIFO/);
  }));

Deno.test("listDirectory() sorts, gives kinds and sizes, and caps the count", () =>
  withRoot(async (root) => {
    for (let i = 0; i < 30; i++) {
      await Deno.writeTextFile(path.join(root, "empty", `f${String(i).padStart(2, "0")}`), "abc");
    }
    const r = listDirectory(root, "empty", 10);
    assert(r.ok);
    assertEquals(r.value.entries.length, 10);
    assertEquals(r.value.total, 30);
    assert(r.value.truncated);
    assertEquals(r.value.entries[0], { name: "f00", kind: "file", size: 3 });
    const top = listDirectory(root, ".", 1000);
    assert(top.ok);
    const kinds = Object.fromEntries(top.value.entries.map((e) => [e.name, e.kind]));
    assertEquals(kinds["src"], "directory");
    assertEquals(kinds["link-outside-dir"], "symlink");
    assertEquals(kinds["fifo"], "fifo");
  }));

Deno.test("listDirectory() refuses a file and a folder reached through a symlink out", () =>
  withRoot((root) => {
    const f = listDirectory(root, "src/app.py", 10);
    assert(!f.ok);
    assertMatch(f.reason, /not a directory/);
    const out = listDirectory(root, "link-outside-dir", 10);
    assert(!out.ok);
    assertMatch(out.reason, /outside the project root/);
    return Promise.resolve();
  }));

Deno.test("completePath() completes names, marks folders, hides dotfiles and links out", () =>
  withRoot(async (root) => {
    await Deno.writeTextFile(path.join(root, ".hidden"), "");
    assertEquals(completePath({ root, prefix: "sr", max: 10 }), ["src/"]);
    assertEquals(completePath({ root, prefix: "src/", max: 10 }), ["src/app.py"]);
    assertEquals(completePath({ root, prefix: "link-", max: 10 }), ["link-inside"]);
    assertEquals(completePath({ root, prefix: ".h", max: 10 }), [".hidden"]);
    assertEquals(completePath({ root, prefix: "../", max: 10 }), []);
    assertEquals(completePath({ root, prefix: "link-outside-dir/", max: 10 }), []);
  }));

Deno.test('completePath() normalises the folder typed: no value holds a double slash, "/./" or "/../"', () =>
  withRoot((root) => {
    const table: [string, string[]][] = [
      ["src//", ["src/app.py"]],
      ["src///a", ["src/app.py"]],
      ["./src/", ["src/app.py"]],
      [".//src/./", ["src/app.py"]],
      ["src/../src/", ["src/app.py"]],
      [".//s", ["src/"]],
      [`${root}//src/`, [`${root}/src/app.py`]],
      ["//", []],
      ["src/../../", []],
    ];
    for (const [prefix, want] of table) {
      assertEquals(completePath({ root, prefix, max: 50 }), want, prefix);
    }
    for (const v of completePath({ root, prefix: ".//", max: 50 })) {
      assert(!v.includes("//") && !v.startsWith("./"), v);
    }
    return Promise.resolve();
  }));

Deno.test("countLines() counts a final line without newline", () => {
  assertEquals(countLines(""), 0);
  assertEquals(countLines("a"), 1);
  assertEquals(countLines("a\n"), 1);
  assertEquals(countLines("a\nb"), 2);
  assertEquals(countLines("\n\n"), 2);
});

Deno.test("readFile() refuses a hard link to a file outside the root unless the policy allows hard links", () =>
  withRoot(async (root) => {
    const outsideFile = path.join(path.dirname(root), "outside", "secret.txt");
    await Deno.link(outsideFile, path.join(root, "innocent.txt"));
    // A second name inside the root is refused too: the count of names is what the policy sees.
    await Deno.writeTextFile(path.join(root, "a.txt"), "a\n");
    await Deno.link(path.join(root, "a.txt"), path.join(root, "b.txt"));
    for (const p of ["innocent.txt", "a.txt", "b.txt"]) {
      for (const range of [{}, { startLine: 1, endLine: 1 }]) {
        const r = await readFile({ root, path: p, maxBytes: MiB, maxOutputBytes: MiB, ...range });
        assert(!r.ok, p);
        assertMatch(r.reason, /^is a hard link \(2 names\) .*--allow-hard-links/);
      }
    }
    const plain = await readFile({ root, path: "src/app.py", maxBytes: MiB, maxOutputBytes: MiB });
    assert(plain.ok, "a file with one name is served");
    configurePathPolicy({ allowHardLinks: true });
    try {
      const r = await readFile({ root, path: "innocent.txt", maxBytes: MiB, maxOutputBytes: MiB });
      assert(r.ok);
      assertEquals(r.value.text, "outside secret\n");
    } finally {
      configurePathPolicy({ allowHardLinks: false });
    }
    // Listing and completion still show the names: only opening the file is refused.
    const listed = listDirectory(root, ".", 100);
    assert(listed.ok);
    assert(listed.value.entries.some((e) => e.name === "innocent.txt"));
  }));

Deno.test("readFile() with countAllLines knows the total even when the page stops early", () =>
  withRoot(async (root) => {
    await Deno.writeTextFile(path.join(root, "c.txt"), "0123456789\n".repeat(1000));
    const r = await readFile({
      root,
      path: "c.txt",
      maxBytes: MiB,
      maxOutputBytes: 55,
      startLine: 1,
      countAllLines: true,
    });
    assert(r.ok);
    assertEquals([r.value.endLine, r.value.totalLines, r.value.truncated], [5, 1000, true]);
  }));

Deno.test("readFile() cuts a single line longer than the cap at a character boundary", () =>
  withRoot(async (root) => {
    await Deno.writeTextFile(path.join(root, "one.js"), "é".repeat(100_000));
    const r = await readFile({
      root,
      path: "one.js",
      maxBytes: MiB,
      maxOutputBytes: 1001,
      startLine: 1,
      countAllLines: true,
    });
    assert(r.ok);
    assertEquals([r.value.text, r.value.lineCut, r.value.totalLines], ["é".repeat(500), true, 1]);
  }));

Deno.test("readFile() refuses credential files and .git internals unless the operator allows them", () =>
  withRoot(async (root) => {
    await Deno.writeTextFile(path.join(root, ".env"), "KEY=1\n");
    await Deno.mkdir(path.join(root, ".git"));
    await Deno.writeTextFile(path.join(root, ".git", "config"), "[core]\n");
    await Deno.symlink(path.join(root, ".env"), path.join(root, "innocent.txt"));
    for (const p of [".env", "innocent.txt", "src/../.env"]) {
      const r = await readFile({ root, path: p, maxBytes: MiB, maxOutputBytes: MiB });
      assert(!r.ok, p);
      assertMatch(r.reason, /rule "dotenv"/);
    }
    const g = await readFile({
      root,
      path: ".git/config",
      maxBytes: MiB,
      maxOutputBytes: MiB,
      allowSecretFiles: true,
    });
    assert(!g.ok);
    assertMatch(g.reason, /rule "git-internals"/);
    const allowed = await readFile({
      root,
      path: ".env",
      maxBytes: MiB,
      maxOutputBytes: MiB,
      allowSecretFiles: true,
    });
    assert(allowed.ok);
    assertEquals(completePath({ root, prefix: ".e", max: 10 }), []);
    assertEquals(completePath({ root, prefix: ".e", max: 10, allowSecretFiles: true }), [".env"]);
  }));

Deno.test("readFile() says when a line range starts inside a private key block, so the page is redacted whole", () =>
  withRoot(async (root) => {
    const begin = ["-----BEGIN OPENSSH ", "PRIVATE KEY-----"].join("");
    const end = ["-----END OPENSSH ", "PRIVATE KEY-----"].join("");
    const keyLines = Array.from(
      { length: 20 },
      (_, i) => "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz" + i,
    );
    const text = ["x = 1", "KEY = '''", begin, ...keyLines, end, "'''", "y = 2", ""].join("\n");
    await Deno.writeTextFile(path.join(root, "conf.py"), text);
    const table: [number, number, boolean][] = [[5, 10, true], [4, 30, true], [1, 3, false], [
      25,
      27,
      false,
    ], [26, 28, false]];
    for (const [startLine, endLine, inside] of table) {
      const r = await readFile({
        root,
        path: "conf.py",
        maxBytes: MiB,
        maxOutputBytes: MiB,
        startLine,
        endLine,
      });
      assert(r.ok);
      assertEquals(r.value.startsInKeyBlock === true, inside, `${startLine}-${endLine}`);
    }
  }));
