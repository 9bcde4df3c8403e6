import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { listTree, walkFiles } from "../../../src/sandbox/walk.ts";
import { compileQuery, cutLine, searchCode } from "../../../src/sandbox/search.ts";
import { LINT_WALK_CAPS, type WalkCaps } from "../../../src/policy/walk.ts";

async function withProject(
  files: Record<string, string>,
  fn: (root: string) => Promise<void> | void,
): Promise<void> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-walk-" }));
  const root = path.join(base, "p");
  await Deno.mkdir(root);
  try {
    for (const [rel, body] of Object.entries(files)) {
      await Deno.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await Deno.writeTextFile(path.join(root, rel), body);
    }
    await fn(root);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

const CAPS: WalkCaps = { ...LINT_WALK_CAPS };

function rels(root: string, target: string, caps: WalkCaps = CAPS, glob?: string): string[] {
  const r = walkFiles({ root, target, caps, ...(glob ? { glob } : {}) });
  assert(r.ok, r.ok ? "" : r.reason);
  return r.value.files.map((f) => f.rel);
}

Deno.test("walkFiles(): .gitignore (nested, negations), .git/info/exclude, vendored folders and credential files", () =>
  withProject({
    ".gitignore": "*.log\n!keep.log\nout/\n",
    ".git/info/exclude": "local.py\n",
    ".git/config": "[core]\n",
    "a.py": "",
    "local.py": "",
    "debug.log": "",
    "keep.log": "",
    "out/gen.py": "",
    "node_modules/x/index.js": "",
    ".venv/lib/site.py": "",
    "pkg/.gitignore": "private.py\n!also.log\n",
    "pkg/private.py": "",
    "pkg/also.log": "",
    "pkg/mod.py": "",
    ".env": "KEY=1\n",
    "id_rsa": "x",
    "logo.png": "x",
    "app.min.js": "x",
  }, (root) => {
    assertEquals(rels(root, "."), [
      ".gitignore",
      "a.py",
      "keep.log",
      "pkg/.gitignore",
      "pkg/also.log",
      "pkg/mod.py",
    ]);
    const r = walkFiles({ root, target: ".", caps: CAPS });
    assert(r.ok);
    assertEquals(r.value.skipped, { vendored: 3, ignored: 4, secret: 2, binary: 1, minified: 1 });
  }));

Deno.test("walkFiles(): a subfolder target still obeys the .gitignore files above it", () =>
  withProject({ ".gitignore": "*.tmp\n", "pkg/a.py": "", "pkg/b.tmp": "" }, (root) => {
    assertEquals(rels(root, "pkg"), ["pkg/a.py"]);
  }));

Deno.test("walkFiles(): a file named directly is visited even when ignored; a glob target filters by path", () =>
  withProject({
    ".gitignore": "*.tmp\n",
    "pkg/b.tmp": "",
    "pkg/a.py": "",
    "pkg/sub/c.py": "",
    "d.py": "",
  }, (root) => {
    assertEquals(rels(root, "pkg/b.tmp"), ["pkg/b.tmp"]);
    assertEquals(rels(root, "pkg/**/*.py"), ["pkg/a.py", "pkg/sub/c.py"]);
    assertEquals(rels(root, "*.py"), ["d.py", "pkg/a.py", "pkg/sub/c.py"]);
    assertEquals(rels(root, ".", CAPS, "pkg/*.py"), ["pkg/a.py"]);
    assertEquals(rels(root, "nothing/**/*.py"), []);
  }));

Deno.test("walkFiles(): symlinks leading out are skipped, symlinked folders not followed, links to files inside visited", () =>
  withProject({ "a.py": "", "dir/b.py": "" }, async (root) => {
    const outside = path.join(path.dirname(root), "outside.py");
    await Deno.writeTextFile(outside, "");
    await Deno.symlink(outside, path.join(root, "leak.py"));
    await Deno.symlink(path.dirname(root), path.join(root, "up"));
    await Deno.symlink(path.join(root, "dir"), path.join(root, "loop"));
    await Deno.symlink(path.join(root, "a.py"), path.join(root, "alias.py"));
    const r = walkFiles({ root, target: ".", caps: CAPS });
    assert(r.ok);
    assertEquals(r.value.files.map((f) => f.rel), ["a.py", "alias.py", "dir/b.py"]);
    assertEquals(r.value.files[1]!.abs, path.join(root, "a.py"));
    assertEquals(r.value.skipped, { "symlink-outside": 2, "symlink-directory": 1 });
    const bad = walkFiles({ root, target: "up", caps: CAPS });
    assert(!bad.ok);
  }));

Deno.test("walkFiles(): caps on files, total bytes, file size and entries, each said", () =>
  withProject(
    Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`f${String(i).padStart(2, "0")}.py`, "x".repeat(100)]),
    ),
    (root) => {
      const byFiles = walkFiles({ root, target: ".", caps: { ...CAPS, maxFiles: 5 } });
      assert(byFiles.ok);
      assertEquals([byFiles.value.files.length, byFiles.value.capped], [5, "files"]);
      const byBytes = walkFiles({ root, target: ".", caps: { ...CAPS, maxTotalBytes: 350 } });
      assert(byBytes.ok);
      assertEquals([byBytes.value.files.length, byBytes.value.capped], [3, "bytes"]);
      const bySize = walkFiles({ root, target: ".", caps: { ...CAPS, maxFileBytes: 99 } });
      assert(bySize.ok);
      assertEquals([bySize.value.files.length, bySize.value.skipped["too-large"]], [0, 20]);
      const byEntries = walkFiles({ root, target: ".", caps: { ...CAPS, maxEntries: 7 } });
      assert(byEntries.ok);
      assertEquals([byEntries.value.files.length, byEntries.value.capped], [7, "entries"]);
    },
  ));

Deno.test("walkFiles(): a hard-linked file is skipped like read_file refuses it", () =>
  withProject({ "a.py": "" }, async (root) => {
    await Deno.link(path.join(root, "a.py"), path.join(root, "b.py"));
    const r = walkFiles({ root, target: ".", caps: CAPS });
    assert(r.ok);
    assertEquals(r.value.files, []);
    assertEquals(r.value.skipped, { "hard-link": 2 });
  }));

Deno.test("listTree(): depth, ignore rules hidden and counted, include_ignored shows them marked, cap marked", () =>
  withProject({
    ".gitignore": "gen/\n",
    "src/a/b/c.py": "",
    "src/d.py": "",
    "gen/x.py": "",
    "node_modules/m/i.js": "",
  }, (root) => {
    const t2 = listTree(root, ".", 2, false, 100);
    assert(t2.ok);
    assertEquals(t2.value.entries.map((e) => e.path), [".gitignore", "src", "src/a", "src/d.py"]);
    assertEquals(t2.value.hidden, 2);
    const all = listTree(root, ".", 5, true, 100);
    assert(all.ok);
    assert(all.value.entries.some((e) => e.path === "gen/x.py" && e.ignored));
    assert(all.value.entries.some((e) => e.path === "src/a/b/c.py" && !e.ignored));
    const cut = listTree(root, ".", 5, false, 3);
    assert(cut.ok);
    assertEquals([cut.value.entries.length, cut.value.truncated], [3, true]);
  }));

Deno.test("search: literal, case-insensitive literal and RE2 find the same places; RE2 refuses lookaround", () => {
  const text = "get_user(1)\nx = GET_USER\n  get_user get_user\n";
  const spans = (q: string, regex: boolean, cs: boolean) => {
    const f = compileQuery(q, regex, cs);
    assert(f.ok);
    return [...f.value(text)].map(([s]) => s);
  };
  assertEquals(spans("get_user", false, true), [0, 27, 36]);
  assertEquals(spans("get_user", false, false), [0, 16, 27, 36]);
  assertEquals(spans("get_\\w+", true, false), [0, 16, 27, 36]);
  assertEquals(spans("^\\s*get", true, true), [0, 25]);
  const bad = compileQuery("(?<=a)b", true, true);
  assert(!bad.ok);
  const backref = compileQuery("(a)\\1", true, true);
  assert(!backref.ok);
});

Deno.test("search: a pattern that backtracks catastrophically elsewhere runs in linear time on RE2", () => {
  const f = compileQuery("(a+)+$", true, true);
  assert(f.ok);
  const hits = [...f.value("a".repeat(200_000) + "!")];
  assertEquals(hits, []);
});

Deno.test("cutLine() keeps the match in view and marks both cuts", () => {
  const line = "x".repeat(500) + "NEEDLE" + "y".repeat(500);
  const cut = cutLine(line, 500, 506, 100);
  assert(cut.includes("NEEDLE"));
  assert(cut.startsWith("…") && cut.endsWith("…"));
  assertEquals(cutLine("short", 0, 1, 100), "short");
});

Deno.test("searchCode(): one record per matching line, context, caps and the time budget stated", () =>
  withProject({
    "a.py": "one\nfoo foo\nthree\nfoo\n",
    "b.txt": "foo\n",
    "skip.log": "foo\n",
    ".gitignore": "*.log\n",
  }, async (root) => {
    const base = {
      root,
      query: "foo",
      regex: false,
      caseSensitive: true,
      path: ".",
      contextLines: 1,
      maxMatches: 100,
      timeBudgetMs: 10_000,
      maxLineChars: 300,
    };
    const r = await searchCode(base);
    assert(r.ok);
    assertEquals(r.value.matches.map((m) => `${m.file}:${m.line}:${m.column}`), [
      "a.py:2:1",
      "a.py:4:1",
      "b.txt:1:1",
    ]);
    assertEquals(r.value.matches[0]!.before, ["one"]);
    assertEquals(r.value.matches[0]!.after, ["three"]);
    assertEquals(r.value.matches[1]!.after, []);
    assertEquals(r.value.stopped, undefined);
    const capped = await searchCode({ ...base, maxMatches: 2 });
    assert(capped.ok);
    assertEquals([capped.value.matches.length, capped.value.stopped], [2, "matches"]);
    const late = await searchCode({ ...base, timeBudgetMs: 0 });
    assert(late.ok);
    assertEquals(late.value.stopped, "time");
  }));

Deno.test("walkFiles()/searchCode(): a symlink inside the root to a credential file or to .git internals is skipped as the target would be", () =>
  withProject({
    ".env": "DB_PASSWORD=hunter2-from-env\n",
    "deploy/id_ed25519": "hunter2-from-key\n",
    ".git/config": "[remote]\n\turl = hunter2-from-git\n",
    "a.py": "x = 1\n",
  }, async (root) => {
    // Link name (harmless-looking) -> target (what read_file refuses).
    const hostile: [string, string][] = [
      ["notes.txt", ".env"],
      ["docs/readme.md", "deploy/id_ed25519"],
      ["cfg.ini", ".git/config"],
    ];
    for (const [link, target] of hostile) {
      await Deno.mkdir(path.dirname(path.join(root, link)), { recursive: true });
      await Deno.symlink(path.join(root, target), path.join(root, link));
    }
    const r = walkFiles({ root, target: ".", caps: CAPS });
    assert(r.ok);
    assertEquals(r.value.files.map((f) => f.rel), ["a.py"]);
    assertEquals(r.value.skipped.secret, 2 + hostile.length); // .env, the key and each link
    const s = await searchCode({
      root,
      query: "hunter2",
      regex: false,
      caseSensitive: true,
      path: ".",
      contextLines: 0,
      maxMatches: 100,
      timeBudgetMs: 10_000,
      maxLineChars: 300,
    });
    assert(s.ok);
    assertEquals(s.value.matches, []);
    // The operator's --allow-secret-files lets credential files through, never .git internals.
    const allowed = walkFiles({ root, target: ".", caps: CAPS, allowSecretFiles: true });
    assert(allowed.ok);
    assertEquals(allowed.value.files.map((f) => f.rel).filter((f) => f === "cfg.ini"), []);
  }));

const PEM_BODY = [
  "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
  "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK",
];
const GHP = "ghp_" + "Zq3Xv9Lk2Mn8Rt5Wy7Bc4Df6Gh1Jp0Ks9Lm2"; // 40 characters, shape of a GitHub token

Deno.test("searchCode(): a line shown alone never carries a secret the whole text would redact (PEM body lines, a token cut at the window's edge)", () =>
  withProject({
    "fixtures.py": `KEY = """-----BEGIN RSA PRIVATE KEY-----\n${
      PEM_BODY.join("\n")
    }\n-----END RSA PRIVATE KEY-----"""\nafter = 1\n`,
    // The window around NEEDLE (300 characters) starts 20 characters into the token.
    "long.js": "w ".repeat(500) + GHP + " ".repeat(1167 - 1040) + "NEEDLE" + " z".repeat(400) +
      "\n",
  }, async (root) => {
    const base = {
      root,
      regex: false,
      caseSensitive: true,
      path: ".",
      contextLines: 0,
      maxMatches: 100,
      timeBudgetMs: 10_000,
      maxLineChars: 300,
    };
    // Hostile queries: each puts key material or a token fragment on a line shown without its
    // context. Those aimed at the key's inside find nothing: search matches the redacted text.
    const hostile: { query: string; regex?: boolean; contextLines?: number; none?: boolean }[] = [
      { query: "MIIEow", none: true },
      { query: "gnTxK", none: true },
      { query: "[A-Za-z0-9+/]{60}", regex: true, none: true },
      { query: "BEGIN RSA", contextLines: 2, none: true },
      { query: "END RSA", contextLines: 3, none: true },
      { query: "after = 1", contextLines: 3 },
      { query: "NEEDLE" },
    ];
    for (const h of hostile) {
      const r = await searchCode({
        ...base,
        query: h.query,
        regex: h.regex ?? false,
        contextLines: h.contextLines ?? 0,
      });
      assert(r.ok);
      assertEquals(r.value.matches.length === 0, h.none === true, h.query);
      const shown = JSON.stringify(r.value.matches);
      for (const body of PEM_BODY) {
        for (let i = 0; i + 12 <= body.length; i += 12) {
          assert(!shown.includes(body.slice(i, i + 12)), `${h.query}: ${shown}`);
        }
      }
      for (let i = 4; i + 8 <= GHP.length; i += 4) {
        assert(!shown.includes(GHP.slice(i, i + 8)), `${h.query}: ${shown}`);
      }
    }
  }));
