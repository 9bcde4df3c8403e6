/**
 * Differential: git's own guard for tree entry names (core.protectNTFS, core.protectHFS) and
 * ours (componentRefusal under win32 and macOS rules) on the same names. Every name git refuses
 * for an OS, we refuse under that OS's rules; we refuse more (device names, streams, short names
 * other than GIT~1), never less.
 */
import { assert } from "../../assert.ts";
import { componentRefusal, DARWIN, type PathPlatform, WIN32 } from "../../../src/policy/paths.ts";

const NAMES = [
  ".git",
  ".GIT",
  ".Git.",
  ".git.",
  ".git ",
  ".git. . ",
  ".git::$INDEX_ALLOCATION",
  ".Git::$DATA",
  "git~1",
  "GIT~1",
  "git~2",
  ".git~1",
  ".g\u200cit",
  ".git\u200d",
  "\ufeff.git",
  ".gi\u200et",
  ".gitmodules",
  ".gitignore",
  "CON",
  "aux.c",
  "a:b",
  "trailing.",
  "normal.txt",
  "src",
];

async function git(args: string[], cwd: string): Promise<boolean> {
  const out = await new Deno.Command("git", { args, cwd, stdout: "null", stderr: "null" })
    .output();
  return out.success;
}

Deno.test("componentRefusal() refuses every tree entry name git's protectNTFS and protectHFS refuse", async () => {
  const repo = await Deno.makeTempDir({ prefix: "crm-gitnames-" });
  try {
    assert(await git(["init", "-q"], repo), "git init");
    const hash = new Deno.Command("git", {
      args: ["hash-object", "-w", "--stdin"],
      cwd: repo,
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const w = hash.stdin.getWriter();
    await w.write(new TextEncoder().encode("x\n"));
    await w.close();
    const blob = new TextDecoder().decode((await hash.output()).stdout).trim();
    const guards: [string, PathPlatform][] = [["core.protectNTFS", WIN32], [
      "core.protectHFS",
      DARWIN,
    ]];
    const refusedByGit: Record<string, string[]> = {};
    for (const [guard, platform] of guards) {
      const other = guard === "core.protectNTFS" ? "core.protectHFS" : "core.protectNTFS";
      for (const name of NAMES) {
        const accepted = await git([
          "-c",
          `${guard}=true`,
          "-c",
          `${other}=false`,
          "update-index",
          "--add",
          "--cacheinfo",
          `100644,${blob},${name}`,
        ], repo);
        if (accepted) {
          assert(await git(["rm", "-q", "--cached", "--", name], repo), `unstage ${name}`);
          continue;
        }
        (refusedByGit[guard] ??= []).push(name);
        assert(
          componentRefusal(name, platform) !== undefined,
          `git's ${guard} refuses ${
            JSON.stringify(name)
          }; componentRefusal under ${platform.name} lets it through`,
        );
      }
    }
    // The guards are live: git refuses the headline spellings of .git for each OS.
    for (const n of [".git.", "GIT~1", ".git::$INDEX_ALLOCATION"]) {
      assert(refusedByGit["core.protectNTFS"]?.includes(n), `protectNTFS refuses ${n}`);
    }
    assert(
      refusedByGit["core.protectHFS"]?.includes(".g\u200cit"),
      "protectHFS refuses .g\u200cit",
    );
  } finally {
    await Deno.remove(repo, { recursive: true });
  }
});
