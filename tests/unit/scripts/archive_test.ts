/** Release archives, checked with the tools a user has: tar, python's zipfile, sha256sum. */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { sha256Sums, tarGz, zip } from "../../../scripts/lib/archive.ts";

async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert(out.success, `${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return text;
}

const binary = new Uint8Array(70_000).map((_, i) => (i * 31) % 251);
const readme = new TextEncoder().encode("# read me\n");
const entries = [
  { name: "crm-1.0.0-x86_64-unknown-linux-gnu/code-review-mcp", data: binary, mode: 0o755 },
  { name: "crm-1.0.0-x86_64-unknown-linux-gnu/README.md", data: readme, mode: 0o644 },
];

Deno.test("tarGz() unpacks with tar: same bytes, the binary executable, its folder listed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(path.join(dir, "a.tar.gz"), tarGz(entries, 1_700_000_000));
    const listing = await run("tar", ["-tzvf", "a.tar.gz"], dir);
    assert(listing.includes("crm-1.0.0-x86_64-unknown-linux-gnu/\n"), listing);
    await run("tar", ["-xzf", "a.tar.gz"], dir);
    const bin = path.join(dir, entries[0]!.name);
    assertEquals(await Deno.readFile(bin), binary);
    assertEquals((await Deno.stat(bin)).mode! & 0o777, 0o755);
    assertEquals(await Deno.readFile(path.join(dir, entries[1]!.name)), readme);
    assertEquals((await Deno.stat(bin)).mtime?.getTime(), 1_700_000_000_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("zip() opens with python's zipfile: CRCs good, same bytes, Unix modes kept", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(path.join(dir, "a.zip"), zip(entries, 1_700_000_000));
    const script = [
      "import json, sys, zipfile",
      "z = zipfile.ZipFile(sys.argv[1])",
      "assert z.testzip() is None",
      "print(json.dumps([[i.filename, i.external_attr >> 16, len(z.read(i))] for i in z.infolist()]))",
    ].join("\n");
    const out = JSON.parse(await run("python3", ["-c", script, "a.zip"], dir));
    assertEquals(out, [
      [entries[0]!.name, 0o100755, binary.length],
      [entries[1]!.name, 0o100644, readme.length],
    ]);
    await run("python3", ["-m", "zipfile", "-e", "a.zip", "x"], dir);
    assertEquals(await Deno.readFile(path.join(dir, "x", entries[0]!.name)), binary);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sha256Sums() is what sha256sum -c verifies", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = new Map([["b.zip", binary], ["a.tar.gz", readme]]);
    for (const [n, d] of files) await Deno.writeFile(path.join(dir, n), d);
    const sums = sha256Sums(files);
    assertEquals(sums.split("\n")[0]!.endsWith("  a.tar.gz"), true);
    await Deno.writeTextFile(path.join(dir, "SHA256SUMS"), sums);
    const out = await run("sha256sum", ["-c", "SHA256SUMS"], dir);
    assertEquals(out, "a.tar.gz: OK\nb.zip: OK\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
