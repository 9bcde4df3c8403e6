/**
 * The path policy under each operating system's rules, run here on Linux: node's `path.win32`
 * and `path.posix` parse the paths, and case-insensitive file systems are simulated. Every
 * example of issue 22 is refused under win32 semantics.
 */
import { assert, assertEquals, assertMatch } from "../../assert.ts";
import * as path from "node:path";
import {
  componentRefusal,
  DARWIN,
  HOST_PLATFORM,
  isInside,
  lexicalCandidate,
  nameAsOpened,
  type PathFs,
  type PathPlatform,
  platformFor,
  POSIX,
  realInside,
  relativeToRoot,
  resolveInsideRoot,
  WIN32,
  windowsNameRefusal,
} from "../../../src/policy/paths.ts";
import { secretFileRule, skipInWalk } from "../../../src/policy/secrets.ts";

const WIN_ROOT = "C:\\Users\\me\\proj";

/** Issue 22's examples (and their relatives), each with the refusal it must get on Windows. */
const WINDOWS_HOSTILE: [string, RegExp][] = [
  // NTFS alternate data streams.
  [".env::$DATA", /alternate data stream/],
  ["notes.txt:hidden", /alternate data stream/],
  ["src\\notes.txt:hidden:$DATA", /alternate data stream/],
  ["src/.git::$INDEX_ALLOCATION/config", /alternate data stream/],
  // Trailing dots and spaces, which Windows strips.
  [".env.", /ends in a dot or a space/],
  [".env ", /ends in a dot or a space/],
  ["secrets.pem.", /ends in a dot or a space/],
  ["config\\.env. . ", /ends in a dot or a space/],
  [".git./config", /ends in a dot or a space/],
  // 8.3 short names.
  ["ENV~1", /8\.3 short name/],
  ["SECRET~1.PEM", /8\.3 short name/],
  ["GIT~1\\config", /8\.3 short name/],
  ["src/PROGRA~1/x.py", /8\.3 short name/],
  // Reserved device names, with any extension, in any folder, in any case.
  ["CON", /device name \(CON\)/],
  ["NUL", /device name \(NUL\)/],
  ["COM1.txt", /device name \(COM1\)/],
  ["AUX.py", /device name \(AUX\)/],
  ["src/deep/prn.tar.gz", /device name \(PRN\)/],
  ["lib\\Lpt9.log", /device name \(LPT9\)/],
  ["com\u00b9", /device name/],
  ["nul .txt", /device name \(NUL\)/],
  ["CONIN$", /device name \(CONIN\$\)/],
  ["conout$.log", /device name \(CONOUT\$\)/],
  // Drive-relative, UNC and device paths.
  ["C:secret", /drive-relative/],
  ["c:..\\secret", /drive-relative/],
  ["D:", /drive-relative/],
  ["\\\\?\\C:\\Users\\me\\proj\\.env", /UNC or device path/],
  ["\\\\?\\UNC\\server\\share\\x", /UNC or device path/],
  ["\\\\.\\pipe\\crm", /UNC or device path/],
  ["\\\\.\\PhysicalDrive0", /UNC or device path/],
  ["\\\\server\\share", /UNC or device path/],
  ["//server/share/x", /UNC or device path/],
  ["/\\server\\share", /UNC or device path/],
  // Mixed separators and absolute paths elsewhere.
  ["src\\..\\..\\x", /outside the project root/],
  ["src/..\\..\\x", /outside the project root/],
  ["..\\proj2\\secret.txt", /outside the project root/],
  ["C:\\Users\\me\\proj2\\x", /outside the project root/],
  ["c:\\users\\me\\PROJ2", /outside the project root/],
  ["D:\\Users\\me\\proj\\x", /outside the project root/],
  ["C:\\Windows\\win.ini", /outside the project root/],
  // Characters Win32 does not allow in names, or reads as wildcards.
  ["a<b.py", /character Windows does not allow/],
  ["what?.md", /character Windows does not allow/],
  ["src/*.py", /character Windows does not allow/],
  ['say"hi".txt', /character Windows does not allow/],
  ["tab\tname", /character Windows does not allow/],
];

Deno.test("lexicalCandidate() under win32 refuses every Windows spelling of another file or place (issue 22)", () => {
  for (const [input, reason] of WINDOWS_HOSTILE) {
    const r = lexicalCandidate(WIN_ROOT, input, WIN32);
    assert(!r.ok, `expected refusal for ${JSON.stringify(input)} under win32`);
    assertMatch(r.reason, reason, input);
  }
});

Deno.test("resolveInsideRoot() under win32 refuses the same table before touching the disk", () => {
  const untouchable: PathFs = {
    realPath: (p) => {
      throw new Error(`the disk was consulted for ${p}`);
    },
    lstat: (p) => {
      throw new Error(`the disk was consulted for ${p}`);
    },
  };
  for (const [input, reason] of WINDOWS_HOSTILE) {
    const r = resolveInsideRoot(WIN_ROOT, input, untouchable, { allowHardLinks: false }, WIN32);
    assert(!r.ok, input);
    assertMatch(r.reason, reason, input);
  }
});

Deno.test("lexicalCandidate() under win32 accepts ordinary names, both separators and the root in any case", () => {
  const table: [string, string][] = [
    ["", WIN_ROOT],
    [".", WIN_ROOT],
    ["src/app.py", `${WIN_ROOT}\\src\\app.py`],
    ["src\\app.py", `${WIN_ROOT}\\src\\app.py`],
    ["src\\..\\src\\app.py", `${WIN_ROOT}\\src\\app.py`],
    [`${WIN_ROOT}\\src`, `${WIN_ROOT}\\src`],
    ["c:\\users\\ME\\proj\\src", "c:\\users\\ME\\proj\\src"],
    ["C:/Users/me/proj/README.md", `${WIN_ROOT}\\README.md`],
    [".env.example", `${WIN_ROOT}\\.env.example`],
    ["console.py", `${WIN_ROOT}\\console.py`],
    ["CONTRIBUTING.md", `${WIN_ROOT}\\CONTRIBUTING.md`],
    ["auxiliary/nul_handler.py", `${WIN_ROOT}\\auxiliary\\nul_handler.py`],
    ["com10.txt", `${WIN_ROOT}\\com10.txt`],
    ["dir/~file", `${WIN_ROOT}\\dir\\~file`],
    ["a.b.c", `${WIN_ROOT}\\a.b.c`],
    ["Program Files/x y.txt", `${WIN_ROOT}\\Program Files\\x y.txt`],
    ["-rf", `${WIN_ROOT}\\-rf`],
  ];
  for (const [input, expected] of table) {
    const r = lexicalCandidate(WIN_ROOT, input, WIN32);
    assert(r.ok, `expected ${JSON.stringify(input)} to be accepted: ${!r.ok && r.reason}`);
    assertEquals(r.value, expected);
  }
});

Deno.test("under POSIX the Windows-only spellings are plain names inside the root", () => {
  // On Linux `CON`, `a:b` and `src\..\..\x` are names like any other: they open themselves.
  const table: [string, string][] = [
    ["notes.txt:hidden", "/proj/notes.txt:hidden"],
    ["CON", "/proj/CON"],
    ["AUX.py", "/proj/AUX.py"],
    ["ENV~1", "/proj/ENV~1"],
    ["src\\..\\..\\x", "/proj/src\\..\\..\\x"],
    ["C:secret", "/proj/C:secret"],
  ];
  for (const [input, expected] of table) {
    const r = lexicalCandidate("/proj", input, POSIX);
    assert(r.ok, input);
    assertEquals(r.value, expected);
  }
});

Deno.test("the POSIX hostile table holds under every platform's rules", () => {
  const table: [string, RegExp][] = [
    ["../etc/passwd", /outside the project root/],
    ["a/../../etc", /outside the project root/],
    ["a\0b", /NUL byte/],
    ["~/.ssh/id_rsa", /not expanded/],
    ["~\\.ssh\\id_rsa", /not expanded/],
    ["x".repeat(5000), /longer than/],
  ];
  const roots: [PathPlatform, string][] = [[POSIX, "/proj"], [DARWIN, "/proj"], [
    WIN32,
    WIN_ROOT,
  ]];
  for (const [platform, root] of roots) {
    for (const [input, reason] of table) {
      const r = lexicalCandidate(root, input, platform);
      assert(!r.ok, `${platform.name}: ${input.slice(0, 40)}`);
      assertMatch(r.reason, reason);
    }
  }
  for (const [platform, root] of roots.slice(0, 2)) {
    for (const input of ["/etc/passwd", "/proj2/secret", "/proj/../proj2/x"]) {
      assert(!lexicalCandidate(root, input, platform).ok, `${platform.name}: ${input}`);
    }
  }
});

Deno.test("isInside() decides by components under each platform's separator, and folds case only when asked", () => {
  const table: [PathPlatform, string, string, boolean, boolean][] = [
    [WIN32, "C:\\proj", "C:\\proj", false, true],
    [WIN32, "C:\\proj", "C:\\proj\\a", false, true],
    [WIN32, "C:\\proj", "c:\\PROJ\\a", false, false],
    [WIN32, "C:\\proj", "c:\\PROJ\\a", true, true],
    [WIN32, "C:\\proj", "C:\\proj2", true, false],
    [WIN32, "C:\\proj", "C:\\proj2\\a", true, false],
    [WIN32, "C:\\proj", "D:\\proj\\a", true, false],
    [WIN32, "C:\\proj", "C:\\", true, false],
    [WIN32, "C:\\", "C:\\anything", false, true],
    [WIN32, "C:\\proj", "C:/proj/a", true, false], // not normalised: win32 paths are compared after resolve()
    [DARWIN, "/Users/me/proj", "/users/ME/proj/a", true, true],
    [DARWIN, "/Users/me/proj", "/users/ME/proj/a", false, false],
    [DARWIN, "/Users/me/proj", "/Users/me/proj2", true, false],
    [POSIX, "/home/me/proj", "/home/me/PROJ/a", false, false],
    [POSIX, "/proj", "/proj/a", false, true],
    [POSIX, "/proj", "/proj\\a", false, false],
  ];
  for (const [platform, root, p, fold, expected] of table) {
    assertEquals(
      isInside(root, p, platform, fold),
      expected,
      `${platform.name}${fold ? " (folded)" : ""}: ${root} vs ${p}`,
    );
  }
});

/** lstat answers for a simulated volume: a path's identity by the inode given. */
function volume(inodes: Record<string, number>): PathFs {
  return {
    realPath: (p) => p,
    lstat: (p) => {
      const ino = inodes[p];
      if (ino === undefined) throw new Deno.errors.NotFound(p);
      return { dev: 1, ino, isFile: false, isDirectory: true, isSymlink: false } as Deno.FileInfo;
    },
  };
}

Deno.test("realInside() takes another case of the root only when it is the root's own folder", () => {
  // A case-insensitive volume: /Vol/PROJ is the root itself under another spelling.
  const same = volume({ "/Vol/proj": 7, "/Vol/PROJ": 7 });
  assert(realInside("/Vol/proj", "/Vol/PROJ/a.py", same, DARWIN));
  // A case-sensitive APFS volume on macOS: PROJ is a sibling folder, outside.
  const sibling = volume({ "/Vol/proj": 7, "/Vol/PROJ": 8 });
  assert(!realInside("/Vol/proj", "/Vol/PROJ/secret", sibling, DARWIN));
  // Where case counts, only the exact spelling is inside.
  assert(!realInside("/Vol/proj", "/Vol/PROJ/a.py", same, POSIX));
  assert(realInside("/Vol/proj", "/Vol/proj/a.py", sibling, POSIX));
  // A folder that cannot be inspected is outside.
  assert(!realInside("/Vol/proj", "/Vol/PROJ/a.py", volume({}), DARWIN));
});

/**
 * A simulated NTFS folder: names match in any case, trailing dots and spaces are stripped,
 * short names lead to long ones, and realPath returns the final path in the stored spelling,
 * as GetFinalPathNameByHandle does.
 */
function ntfs(root: string, files: Record<string, string>): PathFs {
  const byKey = new Map<string, string>();
  for (const [name, short] of Object.entries(files)) {
    byKey.set(name.toLowerCase(), name);
    if (short !== "") byKey.set(short.toLowerCase(), name);
  }
  const info = (isFile: boolean) =>
    ({ dev: 1, ino: 1, nlink: 1, isFile, isDirectory: !isFile, isSymlink: false }) as Deno.FileInfo;
  return {
    realPath: (p) => {
      if (p.toLowerCase() === root.toLowerCase()) return root;
      const rest = p.slice(root.length + 1).split("\\").map((c) =>
        c.replace(/:.*$/, "").replace(/[. ]+$/, "").toLowerCase()
      ).join("\\");
      const found = byKey.get(rest);
      if (found === undefined) throw new Deno.errors.NotFound(p);
      return `${root}\\${found}`;
    },
    lstat: (p) => info(p !== root),
  };
}

Deno.test("resolveInsideRoot() under win32 names the file the OS opens, so another case still reaches a refused file's rule", () => {
  const fs = ntfs(WIN_ROOT, { ".env": "ENV~1", "src\\app.py": "", "id_rsa": "ID_RSA~1" });
  const table: [string, string][] = [
    [".ENV", ".env"],
    [".Env", ".env"],
    ["SRC\\App.PY", "src/app.py"],
    ["Id_Rsa", "id_rsa"],
  ];
  for (const [asked, rel] of table) {
    const r = resolveInsideRoot(WIN_ROOT, asked, fs, { allowHardLinks: false }, WIN32);
    assert(r.ok, asked);
    assertEquals(r.value.rel, rel);
  }
  // The asked spelling and the OS's final name are both refused by the credential rules.
  for (const asked of [".ENV", ".Env", "Id_Rsa"]) {
    const r = resolveInsideRoot(WIN_ROOT, asked, fs, { allowHardLinks: false }, WIN32);
    assert(r.ok);
    assert(secretFileRule(asked, { platform: WIN32 }) !== undefined, asked);
    assert(secretFileRule(r.value.rel, { platform: WIN32 }) !== undefined, r.value.rel);
  }
  // Short names and stripped spellings would reach the long name: refused before resolving.
  const reaches: [string, string][] = [
    ["ENV~1", ".env"],
    ["ID_RSA~1", "id_rsa"],
    [".env.", ".env"],
    [".env ", ".env"],
    [".env::$DATA", ".env"],
  ];
  for (const [asked, long] of reaches) {
    assertEquals(fs.realPath(`${WIN_ROOT}\\${asked}`), `${WIN_ROOT}\\${long}`);
    const r = resolveInsideRoot(WIN_ROOT, asked, fs, { allowHardLinks: false }, WIN32);
    assert(!r.ok, asked);
    assertMatch(r.reason, /8\.3 short name|ends in a dot or a space|alternate data stream/);
  }
});

Deno.test("secretFileRule() judges names as each OS opens them", () => {
  const table: [PathPlatform, string, string | undefined][] = [
    // Windows: streams, trailing dots and spaces, short names of .git, case.
    [WIN32, ".env.", "dotenv"],
    [WIN32, ".env ", "dotenv"],
    [WIN32, ".env::$DATA", "dotenv"],
    [WIN32, "config\\.env.local. ", "dotenv"],
    [WIN32, "secrets.pem.", "private-key"],
    [WIN32, "SECRET.PEM", "private-key"],
    [WIN32, "id_rsa::$DATA", "private-key"],
    [WIN32, ".ENV", "dotenv"],
    [WIN32, "ID_RSA", "private-key"],
    [WIN32, ".NPMRC", "package-registry-credentials"],
    [WIN32, ".Aws\\Credentials", "cloud-credentials"],
    [WIN32, ".GIT\\config", "git-internals"],
    [WIN32, ".git.\\config", "git-internals"],
    [WIN32, ".git::$INDEX_ALLOCATION\\config", "git-internals"],
    [WIN32, "GIT~1\\config", "git-internals"],
    [WIN32, "git~2", "git-internals"],
    [WIN32, ".env.example", undefined],
    [WIN32, ".env.example.", undefined],
    [WIN32, "id_rsa.pub", undefined],
    [WIN32, "src\\app.py", undefined],
    // macOS: case, and the code points HFS+ ignores.
    [DARWIN, ".ENV", "dotenv"],
    [DARWIN, "ID_RSA", "private-key"],
    [DARWIN, "Deploy/ID_ED25519", "private-key"],
    [DARWIN, ".GIT/config", "git-internals"],
    [DARWIN, ".g\u200cit/config", "git-internals"],
    [DARWIN, "\ufeff.git", "git-internals"],
    [DARWIN, ".env.", undefined],
    // Linux: case-blind as everywhere (stricter), but `.env.` and `a:b` are their own files.
    [POSIX, ".ENV", "dotenv"],
    [POSIX, "ID_RSA", "private-key"],
    [POSIX, ".GIT/config", "git-internals"],
    [POSIX, ".env.", undefined],
    [POSIX, ".env::$DATA", undefined],
    [POSIX, "GIT~1/config", undefined],
  ];
  for (const [platform, p, rule] of table) {
    assertEquals(secretFileRule(p, { platform }), rule, `${platform.name}: ${JSON.stringify(p)}`);
  }
  assertEquals(skipInWalk("GIT~1", { platform: WIN32, allowSecretFiles: true }), true);
  assertEquals(skipInWalk(".env.", { platform: WIN32 }), true);
});

Deno.test("componentRefusal() keeps git tree entry names that another OS would open as .git or a device out", () => {
  const refused: [PathPlatform, string][] = [
    [POSIX, ""],
    [POSIX, "."],
    [POSIX, ".."],
    [POSIX, "a/b"],
    [POSIX, "a\0b"],
    [POSIX, ".git"],
    [POSIX, ".GIT"],
    [DARWIN, ".Git"],
    [DARWIN, ".g\u200dit"],
    [WIN32, ".git."],
    [WIN32, ".git "],
    [WIN32, "GIT~1"],
    [WIN32, ".git::$INDEX_ALLOCATION"],
    [WIN32, "a\\b"],
    [WIN32, "CON"],
    [WIN32, "aux.c"],
    [WIN32, "x:y"],
    [WIN32, "trailing."],
    [WIN32, "SECRET~1.PEM"],
  ];
  for (const [platform, name] of refused) {
    assert(
      componentRefusal(name, platform) !== undefined,
      `${platform.name}: ${JSON.stringify(name)}`,
    );
  }
  const allowed: [PathPlatform, string][] = [
    [POSIX, ".git."],
    [POSIX, "CON"],
    [POSIX, "a\\b"],
    [POSIX, ".gitignore"],
    [WIN32, ".gitignore"],
    [WIN32, ".github"],
    [WIN32, "console.py"],
    [DARWIN, "src"],
  ];
  for (const [platform, name] of allowed) {
    assertEquals(componentRefusal(name, platform), undefined, `${platform.name}: ${name}`);
  }
});

Deno.test("nameAsOpened() and windowsNameRefusal() state the rewriting each OS does", () => {
  assertEquals(nameAsOpened(".ENV. ", WIN32), ".env");
  assertEquals(nameAsOpened(".env::$DATA", WIN32), ".env");
  assertEquals(nameAsOpened("..", WIN32), "..");
  assertEquals(nameAsOpened(".ENV", DARWIN), ".env");
  assertEquals(nameAsOpened("cafe\u0301", DARWIN), "caf\u00e9");
  assertEquals(nameAsOpened(".ENV. ", POSIX), ".ENV. ");
  assertEquals(windowsNameRefusal("app.py"), undefined);
  assertEquals(windowsNameRefusal(".."), undefined);
  assertMatch(windowsNameRefusal("Com3.json")!, /device name \(COM3\)/);
});

Deno.test("relativeToRoot() writes '/' whatever the platform, and takes the root in another case where case is ignored", () => {
  assertEquals(relativeToRoot(WIN_ROOT, `${WIN_ROOT}\\src\\app.py`, WIN32), "src/app.py");
  assertEquals(relativeToRoot(WIN_ROOT, "c:\\users\\me\\PROJ\\src", WIN32), "src");
  assertEquals(relativeToRoot(WIN_ROOT, WIN_ROOT, WIN32), ".");
  assertEquals(relativeToRoot("C:\\", "C:\\a\\b", WIN32), "a/b");
  assertEquals(relativeToRoot("/Users/me/p", "/users/me/p/x/y", DARWIN), "x/y");
  assertEquals(relativeToRoot("/", "/etc/x", POSIX), "etc/x");
  assertEquals(relativeToRoot("/proj", "/proj", POSIX), ".");
});

Deno.test("the default platform is the running OS's", () => {
  assertEquals(HOST_PLATFORM, platformFor(Deno.build.os));
  assertEquals(platformFor("windows"), WIN32);
  assertEquals(platformFor("darwin"), DARWIN);
  assertEquals(platformFor("linux"), POSIX);
  assertEquals(platformFor("freebsd"), POSIX);
});

Deno.test("lexicalCandidate() under win32 judges only the names below the root, whatever the root's own names look like", () => {
  const root = "C:\\work\\backup~2\\my proj";
  for (
    const input of ["src\\app.py", "C:\\work\\backup~2\\my proj\\src", "c:/WORK/backup~2/my proj/a"]
  ) {
    assert(lexicalCandidate(root, input, WIN32).ok, input);
  }
  for (const input of ["C:\\work\\backup~2\\my proj\\ENV~1", "c:/work/backup~2/my proj/CON"]) {
    assert(!lexicalCandidate(root, input, WIN32).ok, input);
  }
});

Deno.test("resolveInsideRoot() with case-blind rules takes another case of the root only when the disk says it is the root", async () => {
  // Case-blind rules (macOS's, or Windows' on Windows) on this machine's real disk: where the
  // disk counts case (Linux, a case-sensitive APFS volume) PROJ is a sibling and stays outside;
  // where it does not (macOS, Windows), PROJ is the root itself.
  const rules = Deno.build.os === "windows" ? WIN32 : DARWIN;
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-case-" }));
  try {
    const root = path.join(base, "proj");
    await Deno.mkdir(path.join(root, "src"), { recursive: true });
    await Deno.writeTextFile(path.join(root, "src", "app.py"), "x = 1\n");
    let caseSensitive = true;
    try {
      await Deno.mkdir(path.join(base, "PROJ"));
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      caseSensitive = false;
    }
    await Deno.writeTextFile(path.join(base, "PROJ", "other.txt"), "sibling or root\n");
    const policy = { allowHardLinks: false };
    const asked = path.join(base, "PROJ", "other.txt");
    const r = resolveInsideRoot(root, asked, undefined, policy, rules);
    assertEquals(
      r.ok,
      !caseSensitive,
      `${asked} on a ${caseSensitive ? "case-sensitive" : "case-blind"} disk`,
    );
    if (!r.ok) assertMatch(r.reason, /resolves outside the project root/);
    const inside = resolveInsideRoot(root, "src/app.py", undefined, policy, rules);
    assert(inside.ok);
    assertEquals(inside.value.rel, "src/app.py");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
