/**
 * End to end over stdio: secrets against a model that reads, searches, diffs and fetches. The
 * server starts with the README's exact flags on a git repository built here, driven by the
 * official SDK client; a fake raw GitHub on 127.0.0.1 serves the remote files.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import type { CallToolResult } from "../../src/sdk.ts";
import { connect, type Connected } from "./harness.ts";
import { emptyRepo, git, write } from "../fixtures/git_repo.ts";
import {
  FAKE_FILES,
  FAKE_OWNER,
  FAKE_REF,
  FAKE_REPO,
  type FakeGitHub,
  startFakeGitHub,
} from "../fixtures/fake_github.ts";

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

/** Built from parts, so no literal secret sits in this file. */
const PASSWORD = ["hunter2", "prod", "Password!"].join("-");
const OLD_PASSWORD = ["orchid77", "Quartz#4"].join("-");
const GITHUB_TOKEN = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";
/** Where the added secret lands in the new settings.py, and where the removed one was in the old. */
const ADDED_LINE = 1160;
const REMOVED_LINE = 500;

/** Placeholders a project writes where a password goes: all stay as they are. */
const PLACEHOLDERS = ["changeme", "${DB_PASSWORD}", "<password>", "xxx", "example", "***"];

function oldSettings(): string[] {
  const lines = Array.from({ length: 1200 }, (_, i) => `value_${i + 1} = ${i + 1}`);
  lines[REMOVED_LINE - 1] = `LEGACY_PASSWORD = "${OLD_PASSWORD}"`;
  return lines;
}

function newSettings(): string[] {
  const lines = oldSettings();
  lines.splice(REMOVED_LINE - 1, 1);
  lines.splice(ADDED_LINE - 1, 0, `DB_PASSWORD = "${PASSWORD}"`);
  return lines;
}

const CONFIG_PY = [
  '"""Database settings."""',
  "",
  `DB_PASSWORD = "${PASSWORD}"`,
  ...PLACEHOLDERS.map((p, i) => `PASSWORD_${i} = "${p}"`),
  `UPSTREAM_TOKEN = "${GITHUB_TOKEN}"`,
  "",
].join("\n");

/** A repository with settings.py committed, then edited: one secret removed, one added far below. */
async function secretsRepo() {
  const f = await emptyRepo();
  write(f.root, "settings.py", oldSettings().join("\n") + "\n");
  write(f.root, "README.md", "# app\n");
  git(f.root, "add", "-A");
  git(f.root, "commit", "-qm", "initial");
  write(f.root, "settings.py", newSettings().join("\n") + "\n");
  write(f.root, "config.py", CONFIG_PY);
  // A line far longer than a search match shows: the window around a match may start inside the value.
  write(
    f.root,
    "long.py",
    `x = ["${"a".repeat(400)}", DB_PASSWORD = "${PASSWORD}", ${"b".repeat(10)}_needle]\n`,
  );
  write(
    f.root,
    ".code-review-rules.md",
    `# Review rules\n\nStaging database: DB_PASSWORD = "${PASSWORD}"\nNever log a password.\n`,
  );
  return f;
}

function assertNoSecret(where: string, value: unknown): void {
  const s = JSON.stringify(value);
  for (const secret of [PASSWORD, OLD_PASSWORD, GITHUB_TOKEN]) {
    assert(!s.includes(secret), `${where} shows ${secret}: ${s.slice(0, 2000)}`);
  }
}

Deno.test("secrets e2e: diff notes, review findings and read_file name the file's own line; generic passwords redacted everywhere, placeholders kept; search is no oracle", async (t) => {
  const f = await secretsRepo();
  const s = await connect(f.root);
  try {
    await t.step(
      "get_diff: a secret added on line 1160 and one removed from line 500 are redacted, and the note names those lines",
      async () => {
        const d = await call(s, "get_diff", { paths: ["settings.py"] });
        assert(!d.isError, text(d));
        assertNoSecret("get_diff", d);
        const out = text(d);
        assertMatch(out, /\n-LEGACY_PASSWORD = "\[REDACTED password\]"\n/);
        assertMatch(out, /\n\+DB_PASSWORD = "\[REDACTED password\]"\n/);
        assertMatch(
          out,
          /settings\.py: 2 secrets redacted \(password on line 500 of the old version, password on line 1160\)/,
        );
        // Zero context lines: the hunks are smaller, the file lines are the same.
        const d0 = await call(s, "get_diff", { paths: ["settings.py"], context_lines: 0 });
        assertNoSecret("get_diff context 0", d0);
        assertMatch(
          text(d0),
          /\(password on line 500 of the old version, password on line 1160\)/,
        );
      },
    );

    await t.step(
      "review_changes reports the added secret on the line read_file and get_diff name",
      async () => {
        const r = await call(s, "review_changes", { paths: ["settings.py"] });
        assert(!r.isError, text(r));
        assertNoSecret("review_changes", r);
        const findings = (r.structuredContent as {
          findings: { file: string; line: number; code: string; tag: string }[];
        }).findings.filter((x) => x.code === "hardcoded-secret");
        assertEquals(findings.map((x) => [x.file, x.line, x.tag]), [[
          "settings.py",
          ADDED_LINE,
          "new",
        ]]);
        const read = await call(s, "read_file", { file_path: "settings.py", start_line: 1150 });
        assert(!read.isError, text(read));
        assertNoSecret("read_file", read);
        assertMatch(text(read), /\n1160\tDB_PASSWORD = "\[REDACTED password\]"\n/);
        assertMatch(text(read), /1 secret redacted \(password on line 1160\)/);
      },
    );

    await t.step(
      "read_file redacts the generic password and the token, and leaves every placeholder as written",
      async () => {
        const r = await call(s, "read_file", { file_path: "config.py" });
        assert(!r.isError, text(r));
        assertNoSecret("read_file config.py", r);
        const out = text(r);
        assertMatch(out, /\n 3\tDB_PASSWORD = "\[REDACTED password\]"\n/);
        PLACEHOLDERS.forEach((p, i) => {
          assert(out.includes(` ${4 + i}\tPASSWORD_${i} = "${p}"\n`), `placeholder ${p}: ${out}`);
        });
        assertMatch(out, /\n10\tUPSTREAM_TOKEN = "\[REDACTED github-token\]"\n/);
        assertMatch(out, /2 secrets redacted \(password on line 3, github-token on line 10\)/);
      },
    );

    await t.step(
      "search_code: the key name and the marker are found; the value is not, and a right guess answers as a wrong one",
      async () => {
        const byKey = await call(s, "search_code", { query: "DB_PASSWORD =", glob: "*.py" });
        assertNoSecret("search_code key", byKey);
        const m = (byKey.structuredContent as {
          matches: { file: string; line: number; text: string }[];
        }).matches;
        assertEquals(m.map((x) => [x.file, x.line]), [
          ["config.py", 3],
          ["long.py", 1],
          ["settings.py", ADDED_LINE],
        ]);
        for (const x of m.filter((x) => x.file !== "long.py")) {
          assertEquals(x.text, 'DB_PASSWORD = "[REDACTED password]"');
        }
        const marker = await call(s, "search_code", { query: "[REDACTED password]", glob: "*.py" });
        assertEquals(
          (marker.structuredContent as { total_matches: number }).total_matches,
          3,
          text(marker),
        );
        // Guesses at the value, right and wrong, literal and regex, in either case mode.
        const guesses: [Record<string, unknown>, Record<string, unknown>][] = [
          [{ query: "hunter2" }, { query: "hunter3" }],
          [{ query: PASSWORD }, { query: PASSWORD.replace("!", "?") }],
          [{ query: "hunter2-prod", case_sensitive: true }, {
            query: "hunter3-prod",
            case_sensitive: true,
          }],
          [{ query: "hunter[0-4]", regex: true }, { query: "hunter[5-9]", regex: true }],
          [{ query: 'PASSWORD = "h', regex: false }, { query: 'PASSWORD = "q', regex: false }],
          [{ query: 'PASSWORD = "[a-m]', regex: true }, {
            query: 'PASSWORD = "[n-z]',
            regex: true,
          }],
          [{ query: "orchid77" }, { query: "orchid78" }],
          // Across a line end, from the secret's line into the next.
          [{ query: 'Password!"\\nPASSWORD_0', regex: true }, {
            query: 'Passwort!"\\nPASSWORD_0',
            regex: true,
          }],
        ];
        for (const [right, wrong] of guesses) {
          const a = await call(s, "search_code", right);
          const b = await call(s, "search_code", wrong);
          // The answer echoes the model's own query; nothing else may hold the value.
          assertNoSecret(
            `search_code ${JSON.stringify(right)}`,
            (a.structuredContent as { matches: unknown[] }).matches,
          );
          const count = (r: CallToolResult) =>
            (r.structuredContent as { total_matches: number }).total_matches;
          assertEquals(count(a), 0, `${JSON.stringify(right)}: ${text(a)}`);
          assertEquals(count(b), 0, `${JSON.stringify(wrong)}: ${text(b)}`);
        }
        // Context lines are shaped like matches: the neighbour's secret shows as its marker.
        const ctxLines = await call(s, "search_code", { query: "PASSWORD_0", context_lines: 2 });
        const cm = (ctxLines.structuredContent as { matches: { before?: string[] }[] }).matches;
        assertNoSecret("search_code context", cm);
        assertEquals(cm[0]?.before?.at(-1), 'DB_PASSWORD = "[REDACTED password]"');
        // The value is redacted from the whole line before a window is cut around the match.
        for (const query of ["bbbbbbbbbb_needle", "Password!", "aaaa"]) {
          const w = await call(s, "search_code", { query, glob: "long.py" });
          assertNoSecret(
            `search_code window ${query}`,
            (w.structuredContent as { matches: unknown[] }).matches,
          );
        }
        // A placeholder is plain text, found like any other.
        const ph = await call(s, "search_code", { query: "changeme" });
        assertEquals((ph.structuredContent as { total_matches: number }).total_matches, 1);
      },
    );

    await t.step(
      "get_diff on the new file: the generic password and the token are redacted on their lines",
      async () => {
        const d = await call(s, "get_diff", { paths: ["config.py"] });
        assert(!d.isError, text(d));
        assertNoSecret("get_diff config.py", d);
        assertMatch(text(d), /\n\+DB_PASSWORD = "\[REDACTED password\]"\n/);
        for (const p of PLACEHOLDERS) assert(text(d).includes(`"${p}"`), p);
        assertMatch(
          text(d),
          /config\.py: 2 secrets redacted \(password on line 3, github-token on line 10\)/,
        );
      },
    );

    await t.step(
      "the project's review rules file is redacted in its resource and in a prompt that embeds it",
      async () => {
        const res = await s.client.readResource({ uri: "config://review-rules" });
        assertNoSecret("config://review-rules", res);
        const body = res.contents.map((c) => ("text" in c ? c.text : "")).join("");
        assertMatch(body, /Staging database: DB_PASSWORD = "\[REDACTED password\]"/);
        assertMatch(body, /Never log a password\./);
        assertMatch(body, /1 secret redacted \(password on line 3\)/);
        const prompt = await s.client.getPrompt({
          name: "security_review",
          arguments: { file_path: "config.py" },
        });
        assertNoSecret("security_review prompt", prompt);
        assertMatch(JSON.stringify(prompt), /Staging database: DB_PASSWORD/);
      },
    );
  } finally {
    await s.close();
    await f.cleanup();
  }
});

const REMOTE = `/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/`;

function serveCredentialFiles(gh: FakeGitHub): void {
  gh.setFile(REMOTE + ".env", `DB_HOST=db.internal\nDB_PASSWORD=${PASSWORD}\n`);
  gh.setFile(REMOTE + "deploy/.env", "FROM_REDIRECT=1\n");
  gh.setFile(REMOTE + "keys/id_rsa", "not really a key, but named like one\n");
  gh.setFile(REMOTE + ".env.example", "DB_PASSWORD=changeme\n");
}

function fetchArgs(p: string) {
  return { owner: FAKE_OWNER, repo: FAKE_REPO, ref: FAKE_REF, path: p };
}

Deno.test("secrets e2e: fetch_github_file refuses a remote .env, a key and a redirect to a .env before asking for them; --allow-secret-files fetches them, still redacted", async (t) => {
  const f = await emptyRepo();
  write(f.root, "app.py", "x = 1\n");
  const gh = await startFakeGitHub();
  serveCredentialFiles(gh);
  const fake = { base: gh.base, net: `127.0.0.1:${gh.port}` };
  try {
    const s = await connect(f.root, { fakeGitHub: fake });
    try {
      await t.step(
        "refused by default, naming the rule, with no request for the file",
        async () => {
          for (
            const [p, rule] of [[".env", "dotenv"], ["keys/id_rsa", "private-key"], [
              "deploy/.env",
              "dotenv",
            ]]
          ) {
            const r = await call(s, "fetch_github_file", fetchArgs(p!));
            assert(r.isError, `${p}: ${text(r)}`);
            assertMatch(text(r), new RegExp(`rule "${rule}".*--allow-secret-files`));
            assertNoSecret(`fetch ${p}`, r);
          }
          assertEquals(
            gh.requests.filter((q) => q.path.endsWith("/.env") || q.path.endsWith("/id_rsa")),
            [],
          );
        },
      );
      await t.step("a redirect to a .env is refused too", async () => {
        const r = await call(s, "fetch_github_file", fetchArgs(FAKE_FILES.credentialRedirect));
        assert(r.isError, text(r));
        assertMatch(text(r), /Refused redirect .* to a credential file: .*rule "dotenv"/);
        assert(!text(r).includes("FROM_REDIRECT"), text(r));
      });
      await t.step("a template (.env.example) is fetched", async () => {
        const r = await call(s, "fetch_github_file", fetchArgs(".env.example"));
        assert(!r.isError, text(r));
        assertMatch(text(r), /1\tDB_PASSWORD=changeme/);
      });
    } finally {
      await s.close();
    }
    const allowed = await connect(f.root, {
      fakeGitHub: fake,
      extraArgs: ["--allow-secret-files"],
    });
    try {
      await t.step(
        "with --allow-secret-files the same files are fetched, secrets in them still redacted",
        async () => {
          const env = await call(allowed, "fetch_github_file", fetchArgs(".env"));
          assert(!env.isError, text(env));
          assertNoSecret("allowed .env", env);
          assertMatch(text(env), /2\tDB_PASSWORD=\[REDACTED password\]/);
          const key = await call(allowed, "fetch_github_file", fetchArgs("keys/id_rsa"));
          assert(!key.isError, text(key));
          assertMatch(text(key), /not really a key/);
          const redirected = await call(
            allowed,
            "fetch_github_file",
            fetchArgs(FAKE_FILES.credentialRedirect),
          );
          assert(!redirected.isError, text(redirected));
          assertMatch(text(redirected), /FROM_REDIRECT=1/);
        },
      );
    } finally {
      await allowed.close();
    }
  } finally {
    await gh.close();
    await f.cleanup();
  }
});
