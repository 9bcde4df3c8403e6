/**
 * The project every server is pointed at: folders of 10 to 10 000 entries, text files
 * of 10 KiB to 1 MiB, and a small Python file for flake8. Generated, so the bench
 * needs no large files in git and every run measures the same bytes.
 */
import * as path from "node:path";

export const LIST_SIZES = [10, 100, 1000, 10000] as const;
export const FILE_SIZES = { "10k": 10 * 1024, "100k": 100 * 1024, "1m": 1024 * 1024 } as const;
export type FileSize = keyof typeof FILE_SIZES;

export const listDir = (n: number) => `list_${n}`;
export const textFile = (size: FileSize) => `text_${size}.txt`;
export const LINT_FILE = "lint/small.py";

/** A small file with a few findings flake8 reports (unused import, long line, undefined name). */
const LINT_SOURCE = `import os
import sys


def greet(name):
    message = "hello " + name + "! this line is deliberately long so that flake8 reports E501 about it"
    return mesage


print(greet(sys.argv[0]))
`;

/** Text of exactly `bytes` bytes, in 64-byte lines that look like code. */
function textOfSize(bytes: number): string {
  const lines: string[] = [];
  let total = 0;
  for (let i = 1; total < bytes; i++) {
    const line = `value_${String(i).padStart(8, "0")} = compute(${i}, 42)  # `.padEnd(63, "=") +
      "\n";
    lines.push(line);
    total += line.length;
  }
  const text = lines.join("");
  return text.slice(0, bytes - 1) + "\n";
}

/** Creates the fixture under `base` (which must not exist yet); returns its real path. */
export async function makeFixture(base: string): Promise<string> {
  await Deno.mkdir(base, { recursive: true });
  const root = await Deno.realPath(base);
  for (const n of LIST_SIZES) {
    const dir = path.join(root, listDir(n));
    await Deno.mkdir(dir);
    for (let i = 0; i < n; i++) {
      Deno.writeTextFileSync(path.join(dir, `entry_${String(i).padStart(5, "0")}.py`), "x = 1\n");
    }
  }
  for (const [name, bytes] of Object.entries(FILE_SIZES)) {
    await Deno.writeTextFile(path.join(root, textFile(name as FileSize)), textOfSize(bytes));
  }
  await Deno.mkdir(path.join(root, "lint"));
  await Deno.writeTextFile(path.join(root, LINT_FILE), LINT_SOURCE);
  return root;
}

/** The shape of the generated history the git rows read (see makeHistoryRepo). */
export const HISTORY = {
  folders: 100,
  filesPerFolder: 21,
  linesPerFile: 40,
  /** Commits in all, merges and their topic commits included. */
  commits: 5_000,
  /** Every this many main commits, a topic branch of 3 commits is merged back. */
  mergeEvery: 30,
  /** Working-tree files edited on top. */
  changed: 10,
} as const;

/** The environment the bench's own git commands run in: a fixed author, no user or system configuration. */
export function benchGitEnv(cwd: string): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: "Bench",
    GIT_AUTHOR_EMAIL: "bench@example.com",
    GIT_COMMITTER_NAME: "Bench",
    GIT_COMMITTER_EMAIL: "bench@example.com",
    HOME: cwd,
    GIT_CONFIG_NOSYSTEM: "1",
  };
}

async function gitAsync(cwd: string, args: string[], stdin?: Uint8Array): Promise<string> {
  const child = new Deno.Command("git", {
    args: ["-c", "init.defaultBranch=main", "-c", "gc.auto=0", ...args],
    cwd,
    env: benchGitEnv(cwd),
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const [out] = await Promise.all([
    child.output(),
    (async () => {
      if (!stdin) return;
      const w = child.stdin.getWriter();
      await w.write(stdin);
      await w.close();
    })(),
  ]);
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * A repository that looks like a real project's: 2,100 Python files in 100 folders, 5,000
 * commits of small edits with a topic branch merged every 30 commits (one merge within HEAD~5),
 * written in one `git fast-import` stream, packed by `git gc`, checked out with a settled index,
 * then 10 files edited in the working tree. Returns the repository's real path (`base/name`).
 * `totalCommits` shortens or lengthens the history; the files and the working-tree edit stay
 * the same (the scaling rows compare two such histories).
 */
export async function makeHistoryRepo(
  base: string,
  totalCommits: number = HISTORY.commits,
  name = "history",
): Promise<string> {
  await Deno.mkdir(base, { recursive: true });
  const root = path.join(await Deno.realPath(base), name);
  await Deno.mkdir(root);
  await gitAsync(root, ["init", "-q"]);
  const files: string[] = [];
  const content: string[][] = [];
  for (let d = 0; d < HISTORY.folders; d++) {
    for (let k = 0; k < HISTORY.filesPerFolder; k++) {
      const i = files.length;
      files.push(`pkg${String(d).padStart(3, "0")}/mod_${i}.py`);
      content.push(
        Array.from(
          { length: HISTORY.linesPerFile },
          (_, l) => `def f_${i}_${l}(x):\n    return x + ${l}\n`,
        ),
      );
    }
  }
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const parts: string[] = [];
  let mark = 0;
  let time = 1_600_000_000;
  let commits = 0;
  const blob = (text: string) => `data ${text.length}\n${text}\n`;
  const commit = (
    ref: string,
    msg: string,
    from: number | null,
    merge: number | null,
    mods: number[],
    text: (i: number) => string,
  ): number => {
    mark++;
    commits++;
    time += 60;
    parts.push(
      `commit ${ref}\nmark :${mark}\n`,
      `author Bench <bench@example.com> ${time} +0000\n`,
      `committer Bench <bench@example.com> ${time} +0000\n`,
      blob(msg),
      from !== null ? `from :${from}\n` : "",
      merge !== null ? `merge :${merge}\n` : "",
    );
    for (const i of mods) parts.push(`M 100644 inline ${files[i]}\n`, blob(text(i)));
    parts.push("\n");
    return mark;
  };
  const whole = (i: number) => content[i]!.join("");
  const edit = (i: number, tag: string) => {
    const l = rand(HISTORY.linesPerFile);
    content[i]![l] = `def f_${i}_${l}(x):\n    return x * ${l}  # ${tag}\n`;
  };
  let main = commit("refs/heads/main", "initial import", null, null, files.map((_, i) => i), whole);
  let sinceMerge = 0;
  const topic = (n: number) => {
    // A topic branch of 3 commits on files of its own, main moves on by 2, then the merge.
    const branchPoint = main;
    const own = [rand(files.length), rand(files.length), rand(files.length)];
    const topicText = new Map<number, string[]>();
    let tip = branchPoint;
    for (let k = 0; k < 3; k++) {
      const i = own[k]!;
      const lines = [...(topicText.get(i) ?? content[i]!)];
      lines[k] = `def topic_${n}_${k}(x):\n    return x\n`;
      topicText.set(i, lines);
      tip = commit(
        `refs/heads/topic`,
        `topic ${n}: step ${k + 1}`,
        tip,
        null,
        [i],
        () => lines.join(""),
      );
    }
    for (let k = 0; k < 2; k++) {
      let i = rand(files.length);
      while (topicText.has(i)) i = rand(files.length);
      edit(i, `main ${commits}`);
      main = commit("refs/heads/main", `main work ${commits}`, main, null, [i], whole);
    }
    for (const [i, t] of topicText) content[i] = t;
    main = commit("refs/heads/main", `Merge branch 'topic-${n}'`, main, tip, [
      ...topicText.keys(),
    ], whole);
  };
  let n = 0;
  while (commits < totalCommits - 8) {
    if (++sinceMerge >= HISTORY.mergeEvery) {
      sinceMerge = 0;
      topic(n++);
      continue;
    }
    const a = rand(files.length);
    const b = rand(files.length);
    edit(a, `change ${commits}`);
    edit(b, `change ${commits}`);
    main = commit("refs/heads/main", `Change ${commits}: tune f_${a}`, main, null, [a, b], whole);
  }
  // The last commits: a merge within HEAD~5, then two plain commits on top.
  topic(n++);
  for (let k = 0; k < 2; k++) {
    const a = rand(files.length);
    edit(a, `final ${k}`);
    main = commit("refs/heads/main", `Final change ${k}`, main, null, [a], whole);
  }
  await gitAsync(root, ["fast-import", "--quiet"], new TextEncoder().encode(parts.join("")));
  await gitAsync(root, ["reset", "-q", "--hard", "main"]);
  await gitAsync(root, ["gc", "-q"]);
  // A settled checkout: files older than the index, whose stat data the index holds.
  const past = new Date(Date.now() - 3600_000);
  for (const f of files) Deno.utimeSync(path.join(root, f), past, past);
  await gitAsync(root, ["update-index", "-q", "--refresh"]);
  for (let k = 0; k < HISTORY.changed; k++) {
    const f = path.join(root, files[k * 197]!);
    Deno.writeTextFileSync(
      f,
      Deno.readTextFileSync(f).replace("return x + 3\n", "return x - 3  # edited\n") +
        "\n\ndef added_in_worktree():\n    return 1\n",
    );
  }
  return root;
}
