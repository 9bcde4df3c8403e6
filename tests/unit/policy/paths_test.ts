import { assert, assertEquals, assertMatch } from "../../assert.ts";
import * as path from "node:path";
import {
  DARWIN,
  denoPathFs,
  formatBytes,
  hardLinkRefusal,
  isInside,
  lexicalCandidate,
  POSIX,
  resolveInsideRoot,
  WIN32,
} from "../../../src/policy/paths.ts";
import { makeTree, type Tree } from "../../fixtures/tree.ts";

Deno.test("isInside() decides by whole path components", () => {
  const table: [string, string, boolean][] = [
    ["/proj", "/proj", true],
    ["/proj", "/proj/a", true],
    ["/proj", "/proj/a/b/c", true],
    ["/proj", "/proj2", false],
    ["/proj", "/proj2/a", false],
    ["/proj", "/pro", false],
    ["/proj", "/", false],
    ["/proj", "/other/proj", false],
    ["/", "/anything", true],
  ];
  for (const [root, p, expected] of table) {
    for (const platform of [POSIX, DARWIN]) {
      assertEquals(isInside(root, p, platform), expected, `${platform.name}: ${root} vs ${p}`);
    }
    // The same table with Windows paths under win32 rules.
    const win = (q: string) => "C:" + q.replaceAll("/", "\\");
    assertEquals(isInside(win(root), win(p), WIN32), expected, `win32: ${win(root)} vs ${win(p)}`);
  }
});

Deno.test("lexicalCandidate() refuses hostile paths before touching the disk", () => {
  const root = "/proj";
  const table: [string, RegExp][] = [
    ["../etc/passwd", /outside the project root/],
    ["../../../../../../etc/passwd", /outside the project root/],
    ["a/../../etc", /outside the project root/],
    ["/etc/passwd", /outside the project root/],
    ["/proj2/secret", /outside the project root/],
    ["/proj/../proj2/x", /outside the project root/],
    ["a\0b", /NUL byte/],
    ["\0", /NUL byte/],
    ["~", /not expanded/],
    ["~/.ssh/id_rsa", /not expanded/],
    ["~root/.ssh", /not expanded/],
    ["x".repeat(5000), /longer than/],
  ];
  for (const [input, reason] of table) {
    for (const platform of [POSIX, DARWIN]) {
      const r = lexicalCandidate(root, input, platform);
      assert(!r.ok, `${platform.name}: expected refusal for ${JSON.stringify(input.slice(0, 40))}`);
      assertMatch(r.reason, reason);
    }
    // Under win32 rules, with the root on a drive and absolute inputs moved to it.
    const winInput = input.startsWith("/") ? "C:" + input.replaceAll("/", "\\") : input;
    const w = lexicalCandidate("C:\\proj", winInput, WIN32);
    assert(!w.ok, `win32: expected refusal for ${JSON.stringify(winInput.slice(0, 40))}`);
    assertMatch(w.reason, reason);
  }
});

Deno.test("lexicalCandidate() accepts relative and absolute paths inside the root, names included", () => {
  const table: [string, string][] = [
    ["", "/proj"],
    [".", "/proj"],
    ["./src/app.py", "/proj/src/app.py"],
    ["src/../src/app.py", "/proj/src/app.py"],
    ["/proj/src", "/proj/src"],
    ["-rf", "/proj/-rf"],
    ["--help.py", "/proj/--help.py"],
    ["a;rm -rf ~.py", "/proj/a;rm -rf ~.py"],
    ["$(id).sh", "/proj/$(id).sh"],
    ["`id`.sh", "/proj/`id`.sh"],
    ["%2e%2e/etc", "/proj/%2e%2e/etc"],
    ["dir/~file", "/proj/dir/~file"],
    ['name"with\'quotes"', '/proj/name"with\'quotes"'],
  ];
  for (const [input, expected] of table) {
    for (const platform of [POSIX, DARWIN]) {
      const r = lexicalCandidate("/proj", input, platform);
      assert(r.ok, `${platform.name}: expected ${JSON.stringify(input)} to be accepted`);
      assertEquals(r.value, expected);
    }
  }
});

Deno.test("resolveInsideRoot() on a real tree", async (t) => {
  const tree: Tree = await makeTree();
  try {
    const root = tree.root;
    await t.step("accepts a regular file and returns its real path", () => {
      const r = resolveInsideRoot(root, "src/app.py");
      assert(r.ok);
      assertEquals(r.value.real, path.join(root, "src/app.py"));
      assertEquals(r.value.rel, "src/app.py");
      assertEquals(r.value.kind, "file");
    });
    await t.step("accepts a symlink that stays inside the root, resolved to its target", () => {
      const r = resolveInsideRoot(root, "link-inside");
      assert(r.ok);
      assertEquals(r.value.rel, "src/app.py");
    });
    const refused: [string, RegExp][] = [
      ["link-outside-file", /resolves outside the project root/],
      ["link-outside-dir", /resolves outside the project root/],
      ["link-outside-dir/secret.txt", /resolves outside the project root/],
      ["chain-1", /resolves outside the project root/],
      ["link-to-sibling", /resolves outside the project root/],
      ["loop-a", /too many levels of symbolic links|cannot resolve/],
      ["dangling", /no such file/],
      ["missing.py", /no such file/],
      ["src/app.py/child", /not a directory|no such file/],
      ["fifo", /named pipe \(FIFO\)/],
      ["link-to-dev-null", /resolves outside the project root/],
      [path.join(tree.sibling, "secret.txt"), /outside the project root/],
    ];
    for (const [input, reason] of refused) {
      await t.step(
        `refuses ${input.startsWith("/") ? "the sibling path sharing the root's prefix" : input}`,
        () => {
          const r = resolveInsideRoot(root, input);
          assert(!r.ok, `expected refusal for ${input}`);
          assertMatch(r.reason, reason);
        },
      );
    }
    await t.step("refuses a device file reached inside the root", () => {
      // A device node cannot be created without privileges everywhere; /dev/null is checked through a root that holds it.
      const r = resolveInsideRoot("/dev", "/dev/null");
      assert(!r.ok);
      assertMatch(r.reason, /character device/);
    });
    await t.step("refuses a socket", () => {
      const r = resolveInsideRoot(root, "sock");
      assert(!r.ok);
      assertMatch(r.reason, /socket/);
    });
  } finally {
    await tree.cleanup();
  }
});

Deno.test("resolveInsideRoot() refuses every regular file with more than one hard link, and only those, unless allowed", async () => {
  const tree: Tree = await makeTree();
  try {
    const root = tree.root;
    await Deno.link(path.join(tree.outside, "secret.txt"), path.join(root, "src", "notes.txt"));
    await Deno.link(path.join(tree.sibling, "secret.txt"), path.join(root, "sibling-copy.txt"));
    await Deno.writeTextFile(path.join(root, "one.txt"), "1\n");
    await Deno.link(path.join(root, "one.txt"), path.join(root, "two.txt"));
    await Deno.link(path.join(root, "one.txt"), path.join(root, "src", "three.txt"));
    await Deno.symlink(path.join(root, "src", "notes.txt"), path.join(root, "link-to-hard-link"));
    const table: [string, number][] = [
      ["src/notes.txt", 2],
      ["sibling-copy.txt", 2],
      ["one.txt", 3],
      ["two.txt", 3],
      ["src/three.txt", 3],
      ["link-to-hard-link", 2],
      [path.join(root, "src", "notes.txt"), 2],
    ];
    for (const [input, names] of table) {
      const r = resolveInsideRoot(root, input);
      assert(!r.ok, input);
      assertEquals(
        r.reason,
        `is a hard link (${names} names) and may also be named outside the project root; ` +
          "files with several hard links are refused unless the server runs with --allow-hard-links",
        input,
      );
      const allowed = resolveInsideRoot(root, input, denoPathFs, { allowHardLinks: true });
      assert(allowed.ok, input);
    }
    // Directories always have several links; files with one name pass.
    for (const ok of [".", "src", "empty", "src/app.py", "link-inside"]) {
      assert(resolveInsideRoot(root, ok).ok, ok);
    }
  } finally {
    await tree.cleanup();
  }
});

Deno.test("hardLinkRefusal() looks only at regular files, and a missing link count counts as one", () => {
  const info = (o: Partial<Deno.FileInfo>) =>
    ({ isFile: true, isDirectory: false, isSymlink: false, nlink: 1, ...o }) as Deno.FileInfo;
  assertEquals(hardLinkRefusal(info({ nlink: 1 })), undefined);
  assertEquals(hardLinkRefusal(info({ nlink: null })), undefined);
  assertEquals(hardLinkRefusal(info({ isFile: false, isDirectory: true, nlink: 7 })), undefined);
  assertMatch(hardLinkRefusal(info({ nlink: 2 }))!, /^is a hard link \(2 names\)/);
  assertEquals(hardLinkRefusal(info({ nlink: 2 }), { allowHardLinks: true }), undefined);
});

Deno.test("formatBytes() prints binary units", () => {
  assertEquals(formatBytes(10), "10 B");
  assertEquals(formatBytes(1536), "1.5 KiB");
  assertEquals(formatBytes(1024 * 1024), "1 MiB");
  assertEquals(formatBytes(5 * 1024 * 1024), "5 MiB");
});
