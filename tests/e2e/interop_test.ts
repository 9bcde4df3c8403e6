/**
 * The interop matrix: the v1 client (2025-11-25), the v2 client with default settings
 * and the v2 client pinned to 2026-07-28, each over stdio (the README's exact command)
 * and over HTTP, stateless and, for the 2025 clients' sessions, stateful. In every cell:
 * list and call every tool the server lists, read both resources, get every prompt,
 * complete a path, cancel a slow call (the server logs it cancelled), receive progress.
 * Tools are taken from tools/list, so a tool added later is called here too.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { makeProject, serverArgs } from "./harness.ts";
import { startHttpServer } from "./http_harness.ts";
import {
  FAKE_FILES,
  FAKE_OWNER,
  FAKE_REF,
  FAKE_REPO,
  startFakeGitHub,
} from "../fixtures/fake_github.ts";
import {
  CLIENT_KINDS,
  type ClientKind,
  connectClient,
  EXPECTED_VERSION,
  is2025,
  LOG_LEVEL_META_KEY,
  type McpSession,
  type Target,
  type ToolInfo,
} from "./interop_clients.ts";
import type { CallToolResult } from "../../src/sdk.ts";

const text = (r: CallToolResult) =>
  r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");

/** Arguments for the tools this test knows; any other tool gets arguments built from its schema. */
const KNOWN_ARGS: Record<string, Record<string, unknown>> = {
  list_directory: { dir_path: "." },
  read_file: { file_path: "src/app.py" },
  run_linter: { file_path: "src/app.py", linter: "ruff" },
  fetch_github_file: { owner: FAKE_OWNER, repo: FAKE_REPO, ref: FAKE_REF, path: FAKE_FILES.text },
};

/** Plausible arguments for a tool this test does not know: every required field, from its JSON Schema. */
export function argsFromSchema(tool: ToolInfo): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const name of tool.inputSchema.required ?? []) {
    const p = tool.inputSchema.properties?.[name] ?? {};
    if (p.enum && p.enum.length > 0) args[name] = p.enum[0];
    else if (p.type === "integer" || p.type === "number") args[name] = 1;
    else if (p.type === "boolean") args[name] = false;
    else if (p.type === "array") args[name] = [];
    else {args[name] = /path|file/i.test(name)
        ? "src/app.py"
        : /dir|folder/i.test(name)
        ? "."
        : "app";}
  }
  return args;
}

/** Polls `probe` until it is true: bounded by the test's own timeout, never a timed assertion. */
async function eventually(probe: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

/** The checks every cell runs; `serverLog` reads the server's stderr (JSON lines). */
async function exercise(
  t: Deno.TestContext,
  s: McpSession,
  f: Fixtures,
  serverLog: () => string,
  serverCancels = true,
): Promise<void> {
  const root = f.root;
  if (s.kind !== "v1") {
    await t.step(
      "speaks the expected protocol revision",
      () => assertEquals(s.protocolVersion(), EXPECTED_VERSION[s.kind]),
    );
  }

  const tools = await s.listTools();
  await t.step("tools/list lists the core tools, in a stable order", async () => {
    const names = tools.map((x) => x.name);
    for (const n of Object.keys(KNOWN_ARGS)) {
      assert(names.includes(n), `${n} missing from ${names}`);
    }
    assertEquals((await s.listTools()).map((x) => x.name), names);
  });

  await t.step("every listed tool answers a call", async () => {
    for (const tool of tools) {
      const r = await s.callTool(tool.name, KNOWN_ARGS[tool.name] ?? argsFromSchema(tool));
      assert(Array.isArray(r.content) && r.content.length > 0, `${tool.name}: no content`);
      assert(!/Internal error/.test(text(r)), `${tool.name}: ${text(r)}`);
      if (tool.name in KNOWN_ARGS) assert(!r.isError, `${tool.name}: ${text(r)}`);
    }
  });

  await t.step("both resources read", async () => {
    const listed = await s.listResources();
    assert(listed.some((r) => r.uri === "config://review-rules"), JSON.stringify(listed));
    const templates = await s.listResourceTemplates();
    assertEquals(templates.map((x) => x.uriTemplate), ["file://{path}"]);
    const rules = await s.readResource("config://review-rules");
    assertMatch(rules[0]?.text ?? "", /^# Review rules/);
    const file = await s.readResource(`file://${root}/src/app.py`);
    assertEquals(file[0]?.uri, `file://${root}/src/app.py`);
    assert((file[0]?.text ?? "").length > 0);
  });

  await t.step("every prompt is got", async () => {
    const prompts = await s.listPrompts();
    assert(prompts.length >= 2, JSON.stringify(prompts));
    for (const p of prompts) {
      const args: Record<string, string> = {};
      for (const a of p.arguments ?? []) {
        if (a.required) {
          args[a.name] = a.name.includes("path") ? "src/app.py" : "x";
        }
      }
      const got = await s.getPrompt(p.name, args);
      assert(got.messages.length > 0, p.name);
      if ("file_path" in args) assert(JSON.stringify(got.messages).includes("src/app.py"), p.name);
    }
  });

  await t.step("a path is completed", async () => {
    assertEquals(await s.completePromptArg("security_review", "file_path", "src/a"), [
      "src/app.py",
    ]);
  });

  await t.step("progress arrives during run_linter", async () => {
    // The fixture's pylint takes a second, so "running pylint" comes well before the answer: the
    // SDK clients handle a notification a microtask later than a response read in the same
    // chunk, and drop progress that arrives with the result of a call that took no time.
    const seen: number[] = [];
    const r = await s.callTool("run_linter", { file_path: "src/app.py", linter: "pylint" }, {
      onprogress: (p) => seen.push(p.progress),
    });
    assert(!r.isError, text(r));
    assert(seen.includes(0), `no progress notification: ${JSON.stringify(seen)}`);
  });

  await t.step(
    serverCancels
      ? "a slow call is cancelled on the server too"
      : "a slow call is abandoned by the client; the server bounds it",
    async () => {
      const before = outcomes(serverLog(), "fetch_github_file");
      const ac = new AbortController();
      const slowPath = `slow-${crypto.randomUUID()}.txt`;
      const call = s.callTool("fetch_github_file", {
        ...KNOWN_ARGS.fetch_github_file!,
        path: slowPath,
      }, { signal: ac.signal });
      const failed = call.then(() => "answered", (e: Error) => `${e.name}: ${e.message}`);
      // Abort once the server's request has reached the slow route (it holds it for a minute).
      await eventually(() => f.requested(slowPath), "the server fetches the slow file");
      ac.abort();
      assertMatch(await failed, /abort/i);
      await eventually(
        () => outcomes(serverLog(), "fetch_github_file").length > before.length,
        "the server ends the call",
      );
      const outcome = outcomes(serverLog(), "fetch_github_file").at(-1);
      // A stateless 2025 request's cancellation (a notification in a POST of its own) cannot reach
      // the call, which ends at the server's fetch bound (--fetch-timeout-ms) instead.
      assertEquals(outcome, serverCancels ? "cancelled" : "refused");
    },
  );
}

/** The outcomes of a tool's calls, from the server's JSON log lines, in order. */
function outcomes(log: string, tool: string): string[] {
  return log.split("\n").filter((l) => l.includes('"tool call"') && l.includes(`"tool":"${tool}"`))
    .map((l) => (JSON.parse(l) as { outcome: string }).outcome);
}

interface Fixtures {
  root: string;
  /** PATH for the server: a slow stand-in for pylint first (one second, then "no findings"). */
  path: string;
  fakeGitHub: { base: string; net: string };
  /** Whether the fake GitHub has had a request for this file. */
  requested(file: string): boolean;
}

async function withFixtures(
  fn: (root: string, gh: { base: string; net: string }, f: Fixtures) => Promise<void>,
): Promise<void> {
  const project = await makeProject();
  const bin = await Deno.makeTempDir({ prefix: "crm-interop-bin-" });
  await Deno.writeTextFile(`${bin}/pylint`, "#!/bin/sh\nsleep 1\necho '[]'\n", { mode: 0o755 });
  const gh = await startFakeGitHub();
  const fakeGitHub = { base: gh.base, net: `127.0.0.1:${gh.port}` };
  try {
    await fn(project.root, fakeGitHub, {
      root: project.root,
      path: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
      fakeGitHub,
      requested: (file) => gh.requests.some((r) => r.path.endsWith(`/${file}`)),
    });
  } finally {
    await gh.close();
    await project.cleanup();
    await Deno.remove(bin, { recursive: true });
  }
}

Deno.test("interop over stdio: v1, v2 default and v2 pinned to 2026-07-28 use every tool, resource and prompt", async (t) => {
  await withFixtures(async (root, fakeGitHub, f) => {
    for (const kind of CLIENT_KINDS) {
      await t.step(kind, async (t) => {
        const target: Target = {
          transport: "stdio",
          command: Deno.execPath(),
          args: serverArgs(root, { fakeGitHub }),
          cwd: root,
          env: { PATH: f.path },
        };
        const s = await connectClient(kind, target);
        try {
          await exercise(t, s, f, () => s.stderr());
        } finally {
          await s.close();
        }
      });
    }
  });
});

for (const stateful of [false, true]) {
  const mode = stateful ? "stateful" : "stateless";
  Deno.test(`interop over HTTP (${mode}): v1, v2 default and v2 pinned to 2026-07-28 use every tool, resource and prompt`, async (t) => {
    await withFixtures(async (root, fakeGitHub, f) => {
      // The fetch bound ends what a stateless 2025 client cannot cancel, well before the fake's minute.
      const server = await startHttpServer(root, {
        fakeGitHub,
        env: { PATH: f.path },
        extraArgs: [...(stateful ? ["--stateful"] : []), "--fetch-timeout-ms", "3000"],
      });
      try {
        for (const kind of CLIENT_KINDS) {
          await t.step(
            `${kind}${stateful && !is2025(kind) ? " (stateless even here)" : ""}`,
            async (t) => {
              const s = await connectClient(kind, { transport: "http", url: server.mcpUrl });
              try {
                await exercise(t, s, f, () => server.stderr(), stateful || !is2025(kind));
              } finally {
                await s.close();
              }
            },
          );
        }
      } finally {
        await server.stop();
      }
    });
  });
}

Deno.test("logging (deprecated) is kept: a 2025 client only after logging/setLevel, a 2026 client at the level its _meta carries", async () => {
  await withFixtures(async (root, fakeGitHub) => {
    const server = await startHttpServer(root, { fakeGitHub });
    try {
      const cells: [ClientKind, Target][] = [
        ["v1", {
          transport: "stdio",
          command: Deno.execPath(),
          args: serverArgs(root, { fakeGitHub }),
          cwd: root,
        }],
        ["v2-2026", {
          transport: "stdio",
          command: Deno.execPath(),
          args: serverArgs(root, { fakeGitHub }),
          cwd: root,
        }],
        ["v2-2026", { transport: "http", url: server.mcpUrl }],
      ];
      for (const [kind, target] of cells) {
        const s = await connectClient(kind, target);
        try {
          const where = `${kind} over ${target.transport}`;
          if (kind === "v2-2026") {
            await s.callTool("read_file", { file_path: "src/app.py" });
            assertEquals(s.logMessages().length, 0, `${where}: no level in _meta, no log`);
            await s.callTool("read_file", { file_path: "src/app.py" }, {
              meta: { [LOG_LEVEL_META_KEY]: "info" },
            });
            assertEquals(s.logMessages().length, 0, `${where}: debug lines stay below "info"`);
            await s.callTool("read_file", { file_path: "src/app.py" }, {
              meta: { [LOG_LEVEL_META_KEY]: "debug" },
            });
          } else {
            await s.callTool("read_file", { file_path: "src/app.py" });
            assertEquals(s.logMessages().length, 0, `${where}: no logging/setLevel yet, no log`);
            await s.setLoggingLevel("debug");
            await s.callTool("read_file", { file_path: "src/app.py" });
          }
          await eventually(() => s.logMessages().length > 0, `${where}: a log message`);
          const m = s.logMessages()[0] as {
            level: string;
            logger: string;
            data: { tool: string; outcome: string };
          };
          assertEquals([m.level, m.logger, m.data.tool, m.data.outcome], [
            "debug",
            "tool",
            "read_file",
            "ok",
          ], where);
        } finally {
          await s.close();
        }
      }
    } finally {
      await server.stop();
    }
  });
});

Deno.test("auth info and request headers reach the tool handler in both eras (HTTP with an API key)", async () => {
  await withFixtures(async (root, fakeGitHub) => {
    const key = "interop-key-0123456789abcdef";
    for (const stateful of [false, true]) {
      const server = await startHttpServer(root, {
        fakeGitHub,
        env: { CODE_REVIEW_API_KEYS: `alice:${key}` },
        extraArgs: stateful ? ["--stateful"] : [],
      });
      try {
        for (const kind of CLIENT_KINDS) {
          const requestId = `interop-${kind}-${stateful ? "stateful" : "stateless"}`;
          const s = await connectClient(kind, {
            transport: "http",
            url: server.mcpUrl,
            headers: { authorization: `Bearer ${key}`, "x-request-id": requestId },
          });
          try {
            const r = await s.callTool("read_file", { file_path: "src/app.py" });
            assert(!r.isError, text(r));
          } finally {
            await s.close();
          }
          const logged = () =>
            server.stderr().split("\n").filter((l) => l.includes('"tool call"')).map((l) =>
              JSON.parse(l) as Record<string, unknown>
            )
              .find((l) => String(l["requestId"]).startsWith(`${requestId}.`));
          await eventually(
            () => logged() !== undefined,
            `${requestId}: a tool call logged under the client's X-Request-Id`,
          );
          assertEquals(
            logged()!["subject"],
            "alice",
            `${requestId}: the key's subject reached the handler`,
          );
        }
      } finally {
        await server.stop();
      }
    }
  });
});
