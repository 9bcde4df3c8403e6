/**
 * End to end, the promises of issue 11 as a host sees them: no answer over the budget from any
 * tool, whatever the file, folder or repository; a paged listing returns everything exactly once;
 * credential files refused, secrets redacted and reported; a 900 KB file travels once.
 * The server is the real program with the README's flags, driven by the SDK client.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import type { CallToolResult } from "../../src/sdk.ts";
import { connect, type Connected, makeProject } from "./harness.ts";
import { git } from "../fixtures/git_repo.ts";
import { FAKE_OWNER, FAKE_REF, FAKE_REPO, startFakeGitHub } from "../fixtures/fake_github.ts";
import { hostViews } from "../host_views.ts";
import { numberLines } from "../../src/output/line_numbers.ts";

const BUDGET = 4096;
const bytes = (s: string) => new TextEncoder().encode(s).length;
const AWS_KEY = "AKIA" + "2E0A8F3B244C9986";

function text(r: CallToolResult): string {
  return r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

async function call(
  s: Connected,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await s.client.callTool({ name, arguments: args })) as CallToolResult;
}

/** A project that is large every way: a 2 MB one-line bundle, 10,000 entries, thousands of findings and matches, a big diff. */
async function largeProject(): Promise<{ root: string; cleanup(): Promise<void> }> {
  const p = await makeProject();
  const w = (rel: string, content: string) => {
    Deno.mkdirSync(path.dirname(path.join(p.root, rel)), { recursive: true });
    Deno.writeTextFileSync(path.join(p.root, rel), content);
  };
  git(p.root, "init", "-q", "-b", "main");
  git(
    p.root,
    "-c",
    "user.email=t@example.com",
    "-c",
    "user.name=t",
    "commit",
    "-q",
    "--allow-empty",
    "-m",
    "empty",
  );
  git(p.root, "add", "-A");
  git(
    p.root,
    "-c",
    "user.email=t@example.com",
    "-c",
    "user.name=t",
    "commit",
    "-q",
    "-m",
    "fixture",
  );
  w("dist/bundle.min.js", "var a=1;".repeat(250_000));
  Deno.mkdirSync(path.join(p.root, "many"));
  for (let i = 0; i < 10_000; i++) {
    Deno.writeTextFileSync(path.join(p.root, "many", `e${String(i).padStart(5, "0")}.txt`), "");
  }
  w(
    "src/long.py",
    `"""Mod."""\n` +
      Array.from({ length: 3000 }, (_, i) => `x${i} = "${"y".repeat(120)}"  # needle\n`).join(""),
  );
  w("src/keys.py", `"""Keys."""\n\nAWS_KEY = "${AWS_KEY}"\nok = 1\n`);
  w(".env", `API_KEY=sk_live_${"a1B2c3D4e5".repeat(4)}\n`);
  w(".env.example", "API_KEY=\n");
  return p;
}

Deno.test("no tool answer exceeds the budget, whatever the file, folder or repository", async (t) => {
  const p = await largeProject();
  const gh = await startFakeGitHub();
  gh.setFile(
    `/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/big.py`,
    Array.from({ length: 20_000 }, (_, i) => `line_${i} = ${i}\n`).join(""),
  );
  const s = await connect(p.root, {
    fakeGitHub: { base: gh.base, net: `127.0.0.1:${gh.port}` },
    extraArgs: ["--max-output-bytes", String(BUDGET)],
  });
  try {
    // Every tool the server offers must appear here: a new tool without a row fails.
    const calls: Record<string, Record<string, unknown>[]> = {
      list_directory: [{ dir_path: "many" }, { dir_path: ".", depth: 3, include_ignored: true }],
      read_file: [{ file_path: "dist/bundle.min.js" }, { file_path: "src/long.py" }, {
        file_path: "src/long.py",
        line_numbers: false,
      }],
      run_linter: [{ file_path: "src/long.py" }, { file_path: "." }],
      fetch_github_file: [{ owner: FAKE_OWNER, repo: FAKE_REPO, ref: FAKE_REF, path: "big.py" }],
      search_code: [{ query: "needle" }, { query: "y", context_lines: 5 }],
      get_diff: [{}],
      review_changes: [{}],
      outline: [{ path: "src/long.py" }, { path: "." }],
      find_symbol: [{ name: "x" }],
      find_references: [{ name: "AWS_KEY" }],
    };
    const { tools } = await s.client.listTools();
    for (const tool of tools) {
      await t.step(`${tool.name}: each host view within ${BUDGET} bytes`, async () => {
        const rows = calls[tool.name];
        assert(rows, `no budget row for the tool ${tool.name}: add one`);
        for (const args of rows) {
          const r = await call(s, tool.name, args);
          const v = hostViews(r);
          assert(
            bytes(v.contentOnly) <= BUDGET,
            `${tool.name} ${JSON.stringify(args)}: text ${bytes(v.contentOnly)} bytes`,
          );
          assert(
            bytes(v.structuredOnly) <= BUDGET,
            `${tool.name} ${JSON.stringify(args)}: structured ${bytes(v.structuredOnly)} bytes`,
          );
          assert(
            !/^Cannot answer within the output budget/.test(text(r)),
            `${tool.name} relied on the safety net: ${text(r)}`,
          );
        }
      });
    }

    await t.step("a one-line 2 MB file is cut inside its line and says so", async () => {
      const r = await call(s, "read_file", { file_path: "dist/bundle.min.js" });
      assert(!r.isError, text(r));
      assertMatch(text(r), /^\[dist\/bundle\.min\.js: lines 1-1 of 1\]\n1\tvar a=1;/);
      assertMatch(text(r), /Line 1 is longer than 4\.1 KB .* and is cut/);
    });

    await t.step("a 10,000-entry folder pages out every entry exactly once", async () => {
      const names: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const r = await call(s, "list_directory", {
          dir_path: "many",
          ...(cursor ? { cursor } : {}),
        });
        assert(!r.isError, text(r));
        const sc = r.structuredContent as { entries: { name: string }[]; next_cursor?: string };
        names.push(...sc.entries.map((e) => e.name));
        cursor = sc.next_cursor;
        pages++;
      } while (cursor !== undefined && pages < 1000);
      assertEquals(
        names,
        Array.from({ length: 10_000 }, (_, i) => `e${String(i).padStart(5, "0")}.txt`),
      );
    });

    await t.step(
      "read_file pages continue with start_line and cover the file exactly",
      async () => {
        const original = await Deno.readTextFile(path.join(p.root, "src/long.py"));
        let start = 1;
        let seen = "";
        for (let i = 0; i < 1000; i++) {
          const r = await call(s, "read_file", {
            file_path: "src/long.py",
            start_line: start,
            line_numbers: false,
          });
          const body = text(r).split("\n").slice(1).filter((l) => !l.startsWith("[")).join("\n");
          seen += body.endsWith("\n") || body === "" ? body : body + "\n";
          const next = /continue with start_line=(\d+)\]/.exec(text(r));
          if (!next) break;
          start = Number(next[1]);
        }
        assertEquals(seen, original);
      },
    );
  } finally {
    await s.close();
    await gh.close();
    await p.cleanup();
  }
});

Deno.test("secrets stay on the machine: credential files refused, a hard-coded key reported and redacted", async (t) => {
  const p = await largeProject();
  const s = await connect(p.root);
  try {
    await t.step(
      ".env is refused by read_file and the file resource, naming the rule; .env.example is read; .git is closed",
      async () => {
        const r = await call(s, "read_file", { file_path: ".env" });
        assert(r.isError);
        assertMatch(
          text(r),
          /^Cannot read "\.env": is a credential file \(rule "dotenv"\).*--allow-secret-files/,
        );
        const res = await s.client.readResource({ uri: `file://${p.root}/.env` }).then(
          () => null,
          (e) => e as Error,
        );
        assert(res && /rule "dotenv"/.test(res.message), String(res));
        const prompt = await s.client.getPrompt({
          name: "security_review",
          arguments: { file_path: ".env" },
        }).then(() => null, (e) => e as Error);
        assert(prompt && /rule "dotenv"/.test(prompt.message), String(prompt));
        const ok = await call(s, "read_file", { file_path: ".env.example" });
        assert(!ok.isError, text(ok));
        const git = await call(s, "read_file", { file_path: ".git/config" });
        assert(git.isError);
        assertMatch(text(git), /rule "git-internals"/);
        for (
          const args of [{ dir_path: ".git" }, { dir_path: ".git", depth: 3 }, {
            dir_path: ".git/refs",
            depth: 2,
          }]
        ) {
          const ls = await call(s, "list_directory", args);
          assert(ls.isError, JSON.stringify(args));
          assertMatch(text(ls), /rule "git-internals"/);
        }
      },
    );

    await t.step(
      "search_code never looks inside a credential file, even named directly",
      async () => {
        for (
          const args of [{ query: "API_KEY" }, { query: "API_KEY", path: ".env" }, {
            query: "core",
            path: ".git",
          }, { query: "core", path: ".git/config" }]
        ) {
          const r = await call(s, "search_code", args);
          assert(!text(r).includes("sk_live_"), JSON.stringify(args));
          const sc = r.structuredContent as { matches?: { file: string }[] } | undefined;
          for (const m of sc?.matches ?? []) {
            assert(
              !m.file.startsWith(".env") || m.file === ".env.example",
              `${JSON.stringify(args)}: ${m.file}`,
            );
          }
          for (const m of sc?.matches ?? []) {
            assert(!m.file.startsWith(".git/"), `${JSON.stringify(args)}: ${m.file}`);
          }
        }
      },
    );

    await t.step("completion does not offer credential files", async () => {
      const c = await s.client.complete({
        ref: { type: "ref/resource", uri: "file://{path}" },
        argument: { name: "path", value: `${p.root}/.en` },
      });
      assertEquals(c.completion.values, [`${p.root}/.env.example`]);
    });

    await t.step(
      "a file with a hard-coded AWS key gets a finding and a redacted line",
      async () => {
        const lint = await call(s, "run_linter", { file_path: "src/keys.py" });
        assert(!lint.isError, text(lint));
        const ds = (lint.structuredContent as {
          diagnostics: { code: string; line: number; severity: string; url?: string }[];
        }).diagnostics;
        const secret = ds.find((d) => d.code === "hardcoded-secret");
        assert(secret, JSON.stringify(ds));
        assertEquals([secret.line, secret.severity], [3, "error"]);
        assert(
          !JSON.stringify(lint).includes(AWS_KEY),
          "the key reached the model through run_linter",
        );
        const read = await call(s, "read_file", { file_path: "src/keys.py" });
        assertMatch(text(read), /\n3\tAWS_KEY = "\[REDACTED aws-access-key-id\]"\n/);
        assertMatch(text(read), /1 secret redacted \(aws-access-key-id on line 3\)/);
        assert(!text(read).includes(AWS_KEY));
        const res = await s.client.readResource({ uri: `file://${p.root}/src/keys.py` });
        assert(!JSON.stringify(res).includes(AWS_KEY));
      },
    );

    await t.step(
      "read_file from a start_line inside a private key block never shows key material",
      async () => {
        const body = Array.from(
          { length: 12 },
          (_, i) => `MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC${i}`,
        );
        const pem = [
          ["-----BEGIN ", "PRIVATE KEY-----"].join(""),
          ...body,
          ["-----END ", "PRIVATE KEY-----"].join(""),
        ];
        await Deno.writeTextFile(
          path.join(p.root, "src", "embedded.py"),
          ["x = 1", 'KEY = """', ...pem, '"""', "y = 2", ""].join("\n"),
        );
        for (const [start_line, end_line] of [[4, 8], [5, 20], [3, 6]]) {
          const r = await call(s, "read_file", {
            file_path: "src/embedded.py",
            start_line,
            end_line,
          });
          assert(!r.isError, text(r));
          assert(
            !text(r).includes("MIIEvQIBADANBgkq"),
            `lines ${start_line}-${end_line}: ${text(r)}`,
          );
          assertMatch(text(r), /REDACTED private-key/);
        }
        const after = await call(s, "read_file", { file_path: "src/embedded.py", start_line: 17 });
        assertMatch(text(after), /y = 2/);
        assert(!/REDACTED/.test(text(after)), text(after));
      },
    );
  } finally {
    await s.close();
    await p.cleanup();
  }
});

Deno.test("read_file on a 900 KB file: the pages together are the file plus its line numbers, within a few percent", async () => {
  const p = await makeProject();
  const lines = Array.from(
    { length: 20_000 },
    (_, i) => `value_${i} = compute(${i}, "${"z".repeat(20)}")`,
  );
  const file = lines.join("\n") + "\n";
  await Deno.writeTextFile(path.join(p.root, "large.py"), file);
  const s = await connect(p.root);
  try {
    let start = 1;
    let wire = 0;
    let body = "";
    for (let i = 0; i < 100; i++) {
      const r = await call(s, "read_file", { file_path: "large.py", start_line: start });
      assert(!r.isError, text(r));
      assertEquals(r.structuredContent, undefined);
      wire += bytes(JSON.stringify(r));
      assert(bytes(text(r)) <= 80_000);
      body += text(r).split("\n").slice(1).filter((l) => l !== "" && !l.startsWith("[")).map((l) =>
        l + "\n"
      ).join("");
      const next = /continue with start_line=(\d+)\]/.exec(text(r));
      if (!next) break;
      start = Number(next[1]);
    }
    const expected = numberLines(file, 1, lines.length);
    assertEquals(body, expected);
    const ratio = wire / bytes(expected);
    console.log(
      `read_file over ${bytes(file)} bytes: ${wire} response bytes for ${
        bytes(expected)
      } bytes of numbered text (ratio ${ratio.toFixed(3)})`,
    );
    assert(bytes(file) > 900_000, String(bytes(file)));
    // What remains is JSON's escaping of each line's newline, tab and quotes (here 2 quotes a line),
    // and the header lines; the text used to travel twice (ratio about 2).
    assert(
      ratio >= 1 && ratio < 1.1,
      `response bytes ${wire} for ${bytes(expected)} bytes of numbered text (ratio ${
        ratio.toFixed(3)
      })`,
    );
  } finally {
    await s.close();
    await p.cleanup();
  }
});
