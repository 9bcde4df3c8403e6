/** Client entries: one launch, each client's format, absolute paths, agreement with the README. */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import {
  clientConfigLocation,
  clientEntry,
  CLIENTS,
  DENO_NPM_SPEC,
  launchFor,
  shellQuote,
} from "../../../src/cli/client_entries.ts";
import { APP_DIR, APP_PLACEHOLDER, PROJECT_PLACEHOLDER, readmeCommand } from "../../e2e/harness.ts";

const binary = launchFor({ kind: "binary", execPath: "/opt/crm/code-review-mcp" }, "/home/me/proj");

Deno.test("launchFor() a deno-run checkout is word for word the README's command", () => {
  const l = launchFor({ kind: "deno-run", appDir: APP_PLACEHOLDER }, PROJECT_PLACEHOLDER);
  assertEquals([l.command, ...l.args], readmeCommand());
});

Deno.test("launchFor() with a Deno path (config --no-npx) is the README's command with that Deno in place of npx", () => {
  const l = launchFor(
    { kind: "deno-run", appDir: APP_PLACEHOLDER, deno: "/usr/local/bin/deno" },
    PROJECT_PLACEHOLDER,
  );
  const words = readmeCommand();
  assertEquals([l.command, ...l.args], [
    "/usr/local/bin/deno",
    ...words.slice(words.indexOf("run")),
  ]);
});

Deno.test("launchFor() a binary passes only the root: its permissions are inside it", () => {
  assertEquals(binary, { command: "/opt/crm/code-review-mcp", args: ["--root", "/home/me/proj"] });
});

Deno.test("the README pins the same Deno as the deno-run entries", () => {
  const readme = Deno.readTextFileSync(path.join(APP_DIR, "README.md"));
  assert(readme.startsWith(`# code-review-mcp\n\n\`\`\`sh\nnpx -y ${DENO_NPM_SPEC} task start`));
});

Deno.test("clientEntry() writes each client's format around the same command and args", () => {
  const desktop = JSON.parse(clientEntry("claude-desktop", "code-review", binary));
  assertEquals(desktop, { mcpServers: { "code-review": binary } });
  assertEquals(JSON.parse(clientEntry("cursor", "cr", binary)), { mcpServers: { cr: binary } });
  assertEquals(JSON.parse(clientEntry("claude-code", "cr", binary)), {
    mcpServers: { cr: { type: "stdio", ...binary, env: {} } },
  });
  assertEquals(JSON.parse(clientEntry("vscode", "cr", binary)), {
    servers: { cr: { type: "stdio", ...binary } },
  });
  assertEquals(
    clientEntry("claude-mcp-add", "cr", binary),
    "claude mcp add cr -- /opt/crm/code-review-mcp --root /home/me/proj",
  );
});

Deno.test("clientEntry() quotes what a shell would split in the claude mcp add line", () => {
  const l = launchFor(
    { kind: "binary", execPath: "/Applications/My Tools/crm" },
    "/Users/me/it's here",
  );
  assertEquals(
    clientEntry("claude-mcp-add", "cr", l),
    "claude mcp add cr -- '/Applications/My Tools/crm' --root '/Users/me/it'\\''s here'",
  );
});

Deno.test("shellQuote() leaves safe words bare and quotes the rest", () => {
  const table: [string, string][] = [
    ["--allow-read=/a,/b", "--allow-read=/a,/b"],
    ["deno@2.9.6", "deno@2.9.6"],
    ["", "''"],
    ["a b", "'a b'"],
    ["$(rm -rf ~)", "'$(rm -rf ~)'"],
    ["it's", "'it'\\''s'"],
  ];
  for (const [word, quoted] of table) assertEquals(shellQuote(word), quoted, word);
});

Deno.test("every client has a location on every desktop OS", () => {
  for (const c of CLIENTS) {
    for (const os of ["darwin", "windows", "linux"] as const) {
      assert(clientConfigLocation(c, os).length > 10, `${c} ${os}`);
    }
  }
  assert(
    clientConfigLocation("claude-desktop", "darwin").includes("Library/Application Support/Claude"),
  );
  assert(clientConfigLocation("claude-desktop", "windows").includes("%APPDATA%\\Claude"));
});
