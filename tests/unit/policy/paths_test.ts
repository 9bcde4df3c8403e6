import { assert, assertEquals, assertMatch } from "../../assert.ts";
import * as path from "node:path";
import { formatBytes, isInside, lexicalCandidate, resolveInsideRoot } from "../../../src/policy/paths.ts";
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
  for (const [root, p, expected] of table) assertEquals(isInside(root, p), expected, `${root} vs ${p}`);
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
    const r = lexicalCandidate(root, input);
    assert(!r.ok, `expected refusal for ${JSON.stringify(input.slice(0, 40))}`);
    assertMatch(r.reason, reason);
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
    ["name\"with'quotes\"", "/proj/name\"with'quotes\""],
  ];
  for (const [input, expected] of table) {
    const r = lexicalCandidate("/proj", input);
    assert(r.ok, `expected ${JSON.stringify(input)} to be accepted`);
    assertEquals(r.value, expected);
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
      await t.step(`refuses ${input.startsWith("/") ? "the sibling path sharing the root's prefix" : input}`, () => {
        const r = resolveInsideRoot(root, input);
        assert(!r.ok, `expected refusal for ${input}`);
        assertMatch(r.reason, reason);
      });
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

Deno.test("formatBytes() prints binary units", () => {
  assertEquals(formatBytes(10), "10 B");
  assertEquals(formatBytes(1536), "1.5 KiB");
  assertEquals(formatBytes(1024 * 1024), "1 MiB");
  assertEquals(formatBytes(5 * 1024 * 1024), "5 MiB");
});
