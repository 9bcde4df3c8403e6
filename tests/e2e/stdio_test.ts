/**
 * End to end over stdio: the real program, started with the README's exact flags,
 * driven by the official SDK client. No mocked server; a fake GitHub on 127.0.0.1.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import type { CallToolResult } from "../../src/sdk.ts";
import { connect, type Connected, makeProject } from "./harness.ts";
import { assertEveryHostSeesPayload } from "../host_views.ts";
import { numberLines } from "../../src/output/line_numbers.ts";
import {
  FAKE_FILES,
  FAKE_OWNER,
  FAKE_PRIVATE_REPO,
  FAKE_PRIVATE_TEXT,
  FAKE_README_TEXT,
  FAKE_REF,
  FAKE_REPO,
  FAKE_TOKEN,
  startFakeGitHub,
} from "../fixtures/fake_github.ts";

const gfile = (name: string) => ({ owner: FAKE_OWNER, repo: FAKE_REPO, ref: FAKE_REF, path: name });

function text(r: unknown): string {
  const res = r as CallToolResult;
  return res.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

async function call(
  s: Connected,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await s.client.callTool({ name, arguments: args })) as CallToolResult;
}

Deno.test("stdio server: every tool, resource and prompt through the SDK client", async (t) => {
  const project = await makeProject();
  const root = project.root;
  // Hostile entries that cannot live in git: created per run.
  const outside = path.join(path.dirname(root), "outside");
  await Deno.mkdir(outside);
  await Deno.writeTextFile(path.join(outside, "secret.txt"), "TOP SECRET\n");
  await Deno.symlink(path.join(outside, "secret.txt"), path.join(root, "leak.txt"));
  await Deno.symlink(outside, path.join(root, "leakdir"));
  await Deno.link(path.join(outside, "secret.txt"), path.join(root, "hardlink.txt"));
  await Deno.mkdir(path.join(root, "empty"));
  await new Deno.Command("mkfifo", { args: [path.join(root, "pipe")] }).output();
  await Deno.writeFile(
    path.join(root, "image.bin"),
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]),
  );
  const bigLines = Array.from({ length: 30_000 }, (_, i) => `line ${i + 1} ${"x".repeat(40)}`);
  await Deno.writeTextFile(path.join(root, "big.txt"), bigLines.join("\n") + "\n");
  await Deno.mkdir(path.join(root, "many"));
  for (let i = 0; i < 1005; i++) {
    await Deno.writeTextFile(path.join(root, "many", `f${String(i).padStart(4, "0")}.txt`), "x");
  }

  const gh = await startFakeGitHub();
  const s = await connect(root, {
    fakeGitHub: { base: gh.base, net: `127.0.0.1:${gh.port}` },
    env: { GITHUB_TOKEN: FAKE_TOKEN },
    extraArgs: ["--fetch-timeout-ms", "1500"],
  });
  try {
    await t.step("initialize reports the server and its capabilities", () => {
      const info = s.client.getServerVersion();
      assertEquals(info?.name, "code-review-mcp");
      const caps = s.client.getServerCapabilities();
      assert(caps?.tools && caps?.resources && caps?.prompts && caps?.completions);
    });

    await t.step("tools/list offers exactly the ten tools", async () => {
      const { tools } = await s.client.listTools();
      assertEquals(tools.map((x) => x.name).sort(), [
        "fetch_github_file",
        "find_references",
        "find_symbol",
        "get_diff",
        "list_directory",
        "outline",
        "read_file",
        "review_changes",
        "run_linter",
        "search_code",
      ]);
    });

    await t.step("list_directory lists the root sorted, folders marked", async () => {
      const r = await call(s, "list_directory", { dir_path: "." });
      assert(!r.isError, text(r));
      const sc = r.structuredContent as { entries: { name: string; type: string }[] };
      const names = sc.entries.map((e) => e.name);
      assertEquals(names, [...names].sort());
      assert(text(r).includes("src/"));
      assertEquals(sc.entries.find((e) => e.name === "src")?.type, "directory");
      assertEquals(sc.entries.find((e) => e.name === "leak.txt")?.type, "symlink");
      assertEveryHostSeesPayload(r, { facts: ["src", "leak.txt"], conveyedOtherwise: ["type"] });
    });

    await t.step("list_directory says so for an empty folder", async () => {
      const r = await call(s, "list_directory", { dir_path: "empty" });
      assertEquals(text(r), "[empty: empty directory]");
      assertEveryHostSeesPayload(r);
    });

    await t.step(
      "list_directory pages a large folder with a cursor, every entry exactly once",
      async () => {
        const r = await call(s, "list_directory", { dir_path: "many" });
        const sc = r.structuredContent as {
          entries: { name: string }[];
          total: number;
          truncated: boolean;
          next_cursor?: string;
        };
        assertEquals(sc.entries.length, 1000);
        assertEquals(sc.total, 1005);
        assert(sc.truncated && sc.next_cursor);
        assertMatch(text(r), /5 more entries; continue with cursor="/);
        assertEveryHostSeesPayload(r, { conveyedOtherwise: ["type"] });
        const r2 = await call(s, "list_directory", { dir_path: "many", cursor: sc.next_cursor });
        const sc2 = r2.structuredContent as {
          entries: { name: string }[];
          offset: number;
          truncated: boolean;
          next_cursor?: string;
        };
        assertEquals([sc2.offset, sc2.entries.length, sc2.truncated, sc2.next_cursor], [
          1000,
          5,
          false,
          undefined,
        ]);
        const names = [...sc.entries, ...sc2.entries].map((e) => e.name);
        assertEquals(
          names,
          Array.from({ length: 1005 }, (_, i) => `f${String(i).padStart(4, "0")}.txt`),
        );
        const wrong = await call(s, "list_directory", { dir_path: "src", cursor: sc.next_cursor });
        assert(wrong.isError);
        assertMatch(text(wrong), /other arguments/);
      },
    );

    await t.step(
      "list_directory refuses paths outside the root and symlinked folders leading out",
      async () => {
        for (const p of ["..", "/etc", "leakdir", "../outside"]) {
          const r = await call(s, "list_directory", { dir_path: p });
          assert(r.isError, p);
          assertMatch(
            text(r),
            /^Cannot list ".*": path (resolves )?(is )?outside the project root/,
          );
        }
      },
    );

    await t.step("read_file returns a whole file with its line count", async () => {
      const r = await call(s, "read_file", { file_path: "src/clean.py" });
      assert(!r.isError, text(r));
      const content = await Deno.readTextFile(path.join(root, "src/clean.py"));
      assertEquals(text(r), `[src/clean.py: lines 1-6 of 6]\n${numberLines(content, 1, 6)}`);
      assertEveryHostSeesPayload(r, {
        textPayload: true,
        facts: ["of 6]", numberLines(content, 1, 6)],
      });
      const plain = await call(s, "read_file", { file_path: "src/clean.py", line_numbers: false });
      assertEquals(text(plain), `[src/clean.py: lines 1-6 of 6]\n${content}`);
    });

    await t.step("read_file returns a line range", async () => {
      const r = await call(s, "read_file", {
        file_path: "docs/notes.md",
        start_line: 3,
        end_line: 4,
      });
      assertMatch(text(r), /^\[docs\/notes\.md: lines 3-4 of \d+\]\n3\tLine 3\n4\tLine 4\n$/);
      assertEveryHostSeesPayload(r, { textPayload: true, facts: ["3\tLine 3\n4\tLine 4\n"] });
      const past = await call(s, "read_file", { file_path: "docs/notes.md", start_line: 500 });
      assert(past.isError);
      assertMatch(
        text(past),
        /^Cannot read "docs\/notes\.md": start_line 500 is past the end of the file, which has \d+ lines$/,
      );
    });

    await t.step(
      "read_file pages a file over the budget and serves any line range of it",
      async () => {
        const whole = await call(s, "read_file", { file_path: "big.txt" });
        assert(!whole.isError, text(whole));
        assert(new TextEncoder().encode(text(whole)).length <= 80_000);
        const m = /\[big\.txt: lines 1-(\d+) of 30000\]/.exec(text(whole));
        assert(m, text(whole).slice(0, 200));
        assertMatch(text(whole), new RegExp(`continue with start_line=${Number(m[1]) + 1}\\]`));
        const part = await call(s, "read_file", {
          file_path: "big.txt",
          start_line: 29_999,
          end_line: 30_005,
        });
        assert(!part.isError, text(part));
        assertEquals(
          text(part),
          `[big.txt: lines 29999-30000 of 30000]\n29999\t${bigLines[29_998]}\n30000\t${
            bigLines[29_999]
          }\n`,
        );
      },
    );

    await t.step(
      "read_file refuses symlinks out, FIFOs, binary files, traversal and NUL bytes",
      async () => {
        const table: [string, RegExp][] = [
          ["leak.txt", /outside the project root/],
          ["leakdir/secret.txt", /outside the project root/],
          ["../outside/secret.txt", /outside the project root/],
          [path.join(path.dirname(root), "outside/secret.txt"), /outside the project root/],
          ["pipe", /named pipe/],
          ["hardlink.txt", /is a hard link \(2 names\)/],
          ["image.bin", /binary/],
          ["src/a\u0000b", /NUL byte/],
          ["~/.bashrc", /not expanded/],
          ["src", /is a directory/],
          ["nope.py", /no such file/],
        ];
        for (const [p, reason] of table) {
          const r = await call(s, "read_file", { file_path: p });
          assert(r.isError, p);
          assertMatch(text(r), reason);
          assert(!text(r).includes("TOP SECRET"));
        }
      },
    );

    await t.step(
      "run_linter with the built-in ruff finds the known problems in a Python file",
      async () => {
        const r = await call(s, "run_linter", { file_path: "src/app.py" });
        assert(!r.isError, text(r));
        const sc = r.structuredContent as {
          linter: string;
          diagnostics: { code: string }[];
          engine_version: string;
        };
        assertEquals(sc.linter, "ruff");
        const codes = sc.diagnostics.map((d) => d.code);
        for (const c of ["F401", "B006", "E722"]) assert(codes.includes(c), `${c} in ${codes}`);
        assert(sc.engine_version);
        assertEveryHostSeesPayload(r, {
          facts: ["F401", "https://docs.astral.sh/ruff/rules/?q=F401"],
        });
      },
    );

    await t.step("run_linter runs the real flake8 on a dirty and a clean file", async () => {
      const dirty = await call(s, "run_linter", { file_path: "src/app.py", linter: "flake8" });
      assert(!dirty.isError, text(dirty));
      const codes = (dirty.structuredContent as { diagnostics: { code: string; line: number }[] })
        .diagnostics.map((d) => d.code);
      assert(codes.includes("F401") && codes.includes("E722"), String(codes));
      assertEveryHostSeesPayload(dirty, { facts: ["F401", "E722"] });
      const clean = await call(s, "run_linter", { file_path: "src/clean.py", linter: "flake8" });
      assertMatch(text(clean), /^No issues found\./);
      assertEveryHostSeesPayload(clean);
    });

    await t.step("run_linter runs the real shellcheck on a dirty and a clean script", async () => {
      const dirty = await call(s, "run_linter", { file_path: "scripts/dirty.sh" });
      assert(!dirty.isError, text(dirty));
      const sc = dirty.structuredContent as { linter: string; diagnostics: { code: string }[] };
      assertEquals(sc.linter, "shellcheck");
      assert(sc.diagnostics.some((d) => d.code === "SC2086"), JSON.stringify(sc.diagnostics));
      assertEveryHostSeesPayload(dirty, {
        facts: ["SC2086", "https://www.shellcheck.net/wiki/SC2086"],
      });
      const clean = await call(s, "run_linter", { file_path: "scripts/clean.sh" });
      assertMatch(text(clean), /^No issues found\./);
    });

    await t.step(
      "run_linter refuses the wrong kind of file, an unknown linter and a path outside",
      async () => {
        const wrong = await call(s, "run_linter", {
          file_path: "scripts/dirty.sh",
          linter: "flake8",
        });
        assert(wrong.isError);
        assertMatch(text(wrong), /flake8 does not check this kind of file/);
        const unknown = await call(s, "run_linter", { file_path: "src/app.py", linter: "rm" })
          .catch((e) => e as Error);
        assert(unknown instanceof Error || (unknown as CallToolResult).isError);
        const out = await call(s, "run_linter", { file_path: "leak.txt", linter: "flake8" });
        assert(out.isError);
        assertMatch(text(out), /outside the project root/);
      },
    );

    await t.step("fetch_github_file fetches a file, then serves it from the cache", async () => {
      const r = await call(s, "fetch_github_file", gfile(FAKE_FILES.text));
      assert(!r.isError, text(r));
      const n = FAKE_README_TEXT.split("\n").length - (FAKE_README_TEXT.endsWith("\n") ? 1 : 0);
      const label = `${FAKE_OWNER}/${FAKE_REPO}@${FAKE_REF}:${FAKE_FILES.text}`;
      assertEquals(
        text(r).split("\n")[0],
        `[${label} (${new TextEncoder().encode(FAKE_README_TEXT).length} B): lines 1-${n} of ${n}]`,
      );
      assert(text(r).endsWith(numberLines(FAKE_README_TEXT, 1, n)), text(r));
      assertEveryHostSeesPayload(r, {
        textPayload: true,
        facts: [numberLines(FAKE_README_TEXT, 1, n)],
      });
      const again = await call(s, "fetch_github_file", gfile(FAKE_FILES.text));
      assertMatch(text(again).split("\n")[0]!, /, cache hit\): lines/);
    });

    await t.step(
      "fetch_github_file without a ref fetches the default branch (HEAD), not main",
      async () => {
        const r = await call(s, "fetch_github_file", {
          owner: FAKE_OWNER,
          repo: FAKE_REPO,
          path: FAKE_FILES.text,
        });
        assert(!r.isError, text(r));
        assert(
          text(r).startsWith(`[${FAKE_OWNER}/${FAKE_REPO}@HEAD:${FAKE_FILES.text} (`),
          text(r),
        );
        assert(text(r).endsWith(numberLines(FAKE_README_TEXT, 1)), text(r));
        assertEquals(
          gh.requests.at(-1)?.path,
          `/${FAKE_OWNER}/${FAKE_REPO}/HEAD/${FAKE_FILES.text}`,
        );
      },
    );

    await t.step(
      "fetch_github_file reports 404, foreign redirects, oversize and timeouts as tool errors",
      async () => {
        const nf = await call(s, "fetch_github_file", gfile(FAKE_FILES.missing));
        assert(nf.isError);
        assertEquals(
          text(nf),
          `HTTP 404 for ${FAKE_OWNER}/${FAKE_REPO}@${FAKE_REF}:${FAKE_FILES.missing}`,
        );
        const redir = await call(s, "fetch_github_file", gfile(FAKE_FILES.foreignRedirect));
        assert(redir.isError);
        assertMatch(text(redir), /Refused redirect to evil\.example/);
        const same = await call(s, "fetch_github_file", {
          ...gfile(FAKE_FILES.sameHostRedirect),
          line_numbers: false,
        });
        assert(!same.isError, text(same));
        assert(text(same).endsWith(`]\n${FAKE_README_TEXT}`), text(same));
        const big = await call(s, "fetch_github_file", gfile(FAKE_FILES.oversize));
        assert(big.isError);
        assertMatch(text(big), /larger than 5 MiB/);
        const slow = await call(s, "fetch_github_file", gfile(FAKE_FILES.slow));
        assert(slow.isError);
        assertMatch(text(slow), /^Timed out after/);
        const bin = await call(s, "fetch_github_file", gfile(FAKE_FILES.binary));
        assert(bin.isError);
        assertMatch(text(bin), /binary/);
      },
    );

    await t.step(
      "fetch_github_file sends GITHUB_TOKEN for a private file and never logs it",
      async () => {
        const r = await call(s, "fetch_github_file", {
          owner: FAKE_OWNER,
          repo: FAKE_PRIVATE_REPO,
          ref: FAKE_REF,
          path: FAKE_FILES.private,
        });
        assert(!r.isError, text(r));
        assert(text(r).includes(numberLines(FAKE_PRIVATE_TEXT, 1)), text(r));
        assert(!s.stderr().includes(FAKE_TOKEN), "token in logs");
      },
    );

    await t.step("fetch_github_file refuses invalid parts before any request", async () => {
      const before = gh.requests.length;
      for (
        const args of [
          { owner: "a b", repo: "r", path: "x" },
          { owner: "o", repo: "..", path: "x" },
          { owner: "o", repo: "r", path: "../../x" },
          { owner: "o", repo: "r", path: "x?y=1" },
          { owner: "o", repo: "r", path: "x", ref: "a..b" },
        ]
      ) {
        const r = await call(s, "fetch_github_file", args);
        assert(r.isError, JSON.stringify(args));
      }
      assertEquals(gh.requests.length, before);
    });

    await t.step(
      "resource file:// reads a file inside the root and refuses one outside",
      async () => {
        const r = await s.client.readResource({ uri: `file://${root}/src/clean.py` });
        const c = r.contents[0] as { text: string; mimeType: string };
        assertEquals(c.text, await Deno.readTextFile(path.join(root, "src/clean.py")));
        assertEquals(c.mimeType, "text/x-python");
        for (
          const uri of [
            `file://${root}/leak.txt`,
            "file:///etc/passwd",
            `file://evil.example${root}/src/clean.py`,
          ]
        ) {
          const err = await s.client.readResource({ uri }).then(() => null, (e) => e as Error);
          assert(err, uri);
        }
      },
    );

    await t.step(
      "resource config://review-rules serves the defaults, then the project's own file",
      async () => {
        const def = await s.client.readResource({ uri: "config://review-rules" });
        assertMatch((def.contents[0] as { text: string }).text, /mutable default/);
        await Deno.writeTextFile(
          path.join(root, ".code-review-rules.md"),
          "# Our rules\nNo globals.\n",
        );
        const own = await s.client.readResource({ uri: "config://review-rules" });
        assertEquals((own.contents[0] as { text: string }).text, "# Our rules\nNo globals.\n");
      },
    );

    await t.step("resource templates list file://{path}", async () => {
      const { resourceTemplates } = await s.client.listResourceTemplates();
      assertEquals(resourceTemplates.map((x) => x.uriTemplate), ["file://{path}"]);
    });

    await t.step(
      "prompts security_review and performance_review name the file and how to read it",
      async () => {
        const { prompts } = await s.client.listPrompts();
        assertEquals(prompts.map((p) => p.name).sort(), [
          "performance_review",
          "review_changes",
          "security_review",
        ]);
        const sec = await s.client.getPrompt({
          name: "security_review",
          arguments: { file_path: "src/app.py", context: "a CLI" },
        });
        const secText = (sec.messages[0]!.content as { text: string }).text;
        for (const w of ["attached", "Critical", "injection", "Remediation", "a CLI"]) {
          assertMatch(secText, new RegExp(w, "i"));
        }
        const perf = await s.client.getPrompt({
          name: "performance_review",
          arguments: { file_path: "src/app.py" },
        });
        const perfText = (perf.messages[0]!.content as { text: string }).text;
        for (const w of ["N\\+1", "cache", "stream", "async"]) {
          assertMatch(perfText, new RegExp(w, "i"));
        }
        const rc = await s.client.getPrompt({
          name: "review_changes",
          arguments: { base: "main", focus: "error handling" },
        });
        const rcText = (rc.messages[0]!.content as { text: string }).text;
        for (
          const w of [
            "review_changes",
            "get_diff",
            "read_file",
            "config://review-rules",
            "Severity",
            "fix",
            "error handling",
            "main",
          ]
        ) {
          assertMatch(rcText, new RegExp(w, "i"));
        }
        const bad = await s.client.getPrompt({
          name: "security_review",
          arguments: { file_path: "../x" },
        }).then(() => null, (e) => e as Error);
        assert(bad);
      },
    );

    await t.step(
      "both review prompts embed the file with line numbers and the review rules, and refuse what read_file refuses",
      async () => {
        const source = await Deno.readTextFile(path.join(root, "src/app.py"));
        for (const name of ["security_review", "performance_review"]) {
          const p = await s.client.getPrompt({ name, arguments: { file_path: "src/app.py" } });
          assertEquals(p.messages.map((m) => [m.role, m.content.type]), [["user", "text"], [
            "user",
            "resource",
          ], ["user", "resource"]], name);
          const file = (p.messages[1]!.content as {
            resource: { uri: string; text: string; mimeType: string };
          }).resource;
          assertEquals(file.uri, `file://${root}/src/app.py`);
          assertEquals(file.mimeType, "text/x-python");
          const lines = source.endsWith("\n")
            ? source.slice(0, -1).split("\n")
            : source.split("\n");
          const width = String(lines.length).length;
          assertEquals(
            file.text,
            lines.map((l, i) => `${String(i + 1).padStart(width)}\t${l}\n`).join(""),
          );
          const rules =
            (p.messages[2]!.content as { resource: { uri: string; text: string } }).resource;
          assertEquals(rules.uri, "config://review-rules");
          const served = await s.client.readResource({ uri: "config://review-rules" });
          assertEquals(rules.text, (served.contents[0] as { text: string }).text);
          const intro = (p.messages[0]!.content as { text: string }).text;
          assertMatch(intro, /attached below as the resource file:\/\//);
          assertMatch(intro, /config:\/\/review-rules/);
          const refused: [string, RegExp][] = [
            ["nope.py", /Cannot review "nope\.py": no such file or directory$/],
            [
              "../outside/secret.txt",
              /Cannot review "\.\.\/outside\/secret\.txt": path is outside the project root/,
            ],
            ["leak.txt", /Cannot review "leak\.txt": path resolves outside the project root/],
            ["hardlink.txt", /Cannot review "hardlink\.txt": is a hard link/],
            ["image.bin", /Cannot review "image\.bin": is a binary file/],
            ["src", /Cannot review "src": /],
          ];
          for (const [file_path, want] of refused) {
            const err = await s.client.getPrompt({ name, arguments: { file_path } }).then(
              () => null,
              (e) => e as Error,
            );
            assert(err !== null, `${name} ${file_path} was not refused`);
            assertMatch(err.message, want);
            assert(!err.message.includes("TOP SECRET"));
          }
        }
        // The embedded text is shaped as read_file shapes it: credentials redacted, invisible characters shown.
        await Deno.writeTextFile(
          path.join(root, "src/keys.py"),
          'AWS_KEY = "AKIA2E0A8F3B244C9986"\nname = "a\u202eb"\n',
        );
        const keys = await s.client.getPrompt({
          name: "security_review",
          arguments: { file_path: "src/keys.py" },
        });
        const keysText =
          (keys.messages[1]!.content as { resource: { text: string } }).resource.text;
        assert(!keysText.includes("AKIA2E0A8F3B244C9986"), keysText);
        assertMatch(keysText, /^1\tAWS_KEY = "\[REDACTED [a-z-]+\]"\n2\tname = "a.*U\+202E.*b"\n$/);
        assertMatch((keys.messages[0]!.content as { text: string }).text, /In the attached text: /);
        await Deno.remove(path.join(root, "src/keys.py"));

        const big = await s.client.getPrompt({
          name: "performance_review",
          arguments: { file_path: "big.txt" },
        });
        const bigFile = (big.messages[1]!.content as { resource: { text: string } }).resource.text;
        assertMatch(bigFile, /^ *1\tline 1 x/);
        const intro = (big.messages[0]!.content as { text: string }).text;
        const shown = Number(
          intro.match(/Only lines 1-(\d+) are attached \(the answer budget/)?.[1],
        );
        assert(shown > 0 && shown < 30_000, intro);
        assertMatch(intro, new RegExp(`start_line ${shown + 1}`));
        assert(bigFile.trimEnd().split("\n").length === shown);
      },
    );

    await t.step(
      "completion completes prompt paths and resource paths inside the root",
      async () => {
        const p = await s.client.complete({
          ref: { type: "ref/prompt", name: "security_review" },
          argument: { name: "file_path", value: "src/a" },
        });
        assertEquals(p.completion.values, ["src/app.py"]);
        const dirs = await s.client.complete({
          ref: { type: "ref/prompt", name: "performance_review" },
          argument: { name: "file_path", value: "sc" },
        });
        assertEquals(dirs.completion.values, ["scripts/"]);
        const r = await s.client.complete({
          ref: { type: "ref/resource", uri: "file://{path}" },
          argument: { name: "path", value: `${root}/src/cl` },
        });
        assertEquals(r.completion.values, [`${root}/src/clean.py`]);
        const out = await s.client.complete({
          ref: { type: "ref/prompt", name: "security_review" },
          argument: { name: "file_path", value: "leakdir/" },
        });
        assertEquals(out.completion.values, []);
      },
    );

    await t.step(
      "completion never returns a double slash, for folders or for a doubled slash typed",
      async () => {
        const asked: [
          { type: "ref/prompt"; name: string } | { type: "ref/resource"; uri: string },
          string,
          string,
        ][] = [
          [{ type: "ref/resource", uri: "file://{path}" }, "path", `${root}/`],
          [{ type: "ref/resource", uri: "file://{path}" }, "path", `${root}/s`],
          [{ type: "ref/resource", uri: "file://{path}" }, "path", `${root}//src//`],
          [{ type: "ref/resource", uri: "file://{path}" }, "path", root],
          [{ type: "ref/prompt", name: "security_review" }, "file_path", ""],
          [{ type: "ref/prompt", name: "security_review" }, "file_path", "src//"],
          [{ type: "ref/prompt", name: "security_review" }, "file_path", ".//src/./"],
          [{ type: "ref/prompt", name: "performance_review" }, "file_path", "s"],
        ];
        for (const [ref, name, value] of asked) {
          const r = await s.client.complete({ ref, argument: { name, value } });
          assert(r.completion.values.length > 0, value);
          for (const v of r.completion.values) {
            assert(!v.includes("//") && !v.includes("/./"), `${value} -> ${v}`);
          }
        }
        const dirs = await s.client.complete({
          ref: { type: "ref/resource", uri: "file://{path}" },
          argument: { name: "path", value: `${root}/s` },
        });
        assert(dirs.completion.values.includes(`${root}/src/`), dirs.completion.values.join(" "));
      },
    );

    await t.step("stderr carries JSON lines only and never the token", () => {
      const lines = s.stderr().split("\n").filter((l) => l.trim() !== "");
      assert(lines.length > 0);
      for (const l of lines) {
        if (/(^|m)(Info|Warning) /.test(l)) continue; // Deno's own start-up notes, e.g. an --allow-run name not on PATH
        JSON.parse(l);
      }
      assert(!s.stderr().includes(FAKE_TOKEN));
    });
  } finally {
    await s.close();
    await gh.close();
    await project.cleanup();
  }
});
