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
