/**
 * Start-up refusals and graceful shutdown of the real HTTP server: a call in flight
 * at SIGTERM finishes and the process exits 0; past --shutdown-timeout-ms the call is
 * abandoned and the process still exits 0, promptly.
 */
import * as path from "node:path";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { makeProject, serverArgs } from "./harness.ts";
import {
  FAKE_FILES,
  FAKE_OWNER,
  FAKE_REF,
  FAKE_REPO,
  startFakeGitHub,
} from "../fixtures/fake_github.ts";
import {
  connectHttp,
  freePort,
  httpServerArgs,
  INITIALIZE,
  rawPost,
  spawnHttpServer,
  startHttpServer,
  waitFor,
} from "./http_harness.ts";
import { textOf } from "./http_every_tool.ts";
import type { CallToolResult } from "../../src/sdk.ts";

const SLOW = { owner: FAKE_OWNER, repo: FAKE_REPO, ref: FAKE_REF, path: FAKE_FILES.slow };

/** Runs deno with `args`, bounded; returns exit code and stderr. */
async function runToExit(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** The stderr lines that are not Deno's own notes. */
function ownLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.trim() !== "" && !/^(Info|Warning) /.test(l));
}

/** The one error line (log lines are JSON and may be flushed after it). */
function errorLine(stderr: string): string {
  const lines = ownLines(stderr).filter((l) => !l.startsWith("{"));
  assertEquals(lines.length, 1, stderr);
  assertMatch(lines[0]!, /^code-review-mcp: /);
  return lines[0]!;
}

Deno.test("HTTP start-up refusals are one line on stderr and exit code 2", async (t) => {
  const project = await makeProject();
  try {
    await t.step(
      "a non-loopback address with no authentication is refused unless the risk is accepted",
      async () => {
        const port = freePort();
        const args = httpServerArgs(project.root, port).map((a) =>
          a.replace(`127.0.0.1:${port}`, `0.0.0.0:${port}`)
        );
        const r = await runToExit([...args, "--host", "0.0.0.0"]);
        assertEquals(r.code, 2, r.stderr);
        const lines = ownLines(r.stderr);
        assertEquals(lines.length, 1, r.stderr);
        assertMatch(
          lines[0]!,
          /--host: binding 0\.0\.0\.0 with no authentication .* --allow-unauthenticated-remote/,
        );
      },
    );

    await t.step("the stdio permission flags are not enough for --transport http", async () => {
      const r = await runToExit([...serverArgs(project.root), "--transport", "http"]);
      assertEquals(r.code, 2, r.stderr);
      assertMatch(
        errorLine(r.stderr),
        /Deno may not read CODE_REVIEW_STATEFUL.*HTTP permission flags/,
      );
    });

    await t.step(
      "an API keys file that is missing or malformed is refused without echoing a key",
      async () => {
        const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-keys-" }));
        const missing = path.join(dir, "none.txt");
        const bad = path.join(dir, "bad.txt");
        await Deno.writeTextFile(bad, "just-a-secret-key-without-a-name\n");
        try {
          for (
            const [file, reason] of [[missing, /does not exist/], [
              bad,
              /entry 1 is not "name:key"/,
            ]] as const
          ) {
            const r = await runToExit(
              httpServerArgs(project.root, freePort(), { apiKeysFile: file }),
            );
            assertEquals(r.code, 2, r.stderr);
            assertMatch(errorLine(r.stderr), reason);
            assert(!r.stderr.includes("just-a-secret-key"));
          }
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      },
    );

    await t.step("JWT settings must come as a set", async () => {
      const r = await runToExit([
        ...httpServerArgs(project.root, freePort()),
        "--issuer",
        "https://auth.example.com",
      ]);
      assertEquals(r.code, 2);
      assertMatch(errorLine(r.stderr), /JWT mode needs the JWKS URL too/);
    });
  } finally {
    await project.cleanup();
  }
});

Deno.test("SIGTERM with a call in flight: stop accepting, finish the call, exit 0", async () => {
  const project = await makeProject();
  const gh = await startFakeGitHub();
  const server = await startHttpServer(project.root, {
    fakeGitHub: { base: gh.base, net: `127.0.0.1:${gh.port}` },
    extraArgs: ["--fetch-timeout-ms", "2000", "--shutdown-timeout-ms", "8000"],
  });
  const { client, close } = await connectHttp(server.mcpUrl);
  try {
    const inFlight = client.callTool({ name: "fetch_github_file", arguments: SLOW }) as Promise<
      CallToolResult
    >;
    await waitFor(
      () => gh.requests.some((r) => r.path.endsWith(`/${FAKE_FILES.slow}`)),
      "the slow fetch to start",
    );
    const signalled = performance.now();
    server.kill("SIGTERM");
    await waitFor(() => server.stderr().includes('"shutting down"'), "the shutdown to begin");
    const late = await rawPost(server.mcpUrl, INITIALIZE).then((r) => r.status, () => "refused");
    assert(late === "refused" || late === 503, `a new request during shutdown got ${late}`);
    const result = await inFlight;
    assertMatch(textOf(result), /^Timed out after 2 s fetching/);
    const status = await server.exited;
    assertEquals(status.code, 0, server.stderr());
    assert(performance.now() - signalled < 8000);
    assertMatch(server.stderr(), /"message":"stopped"/);
  } finally {
    await close();
    await server.stop();
    await gh.close();
    await project.cleanup();
  }
});

Deno.test("SIGTERM with a call that outlasts --shutdown-timeout-ms: the call is cancelled and answered, exit 0 within the bound", async () => {
  const project = await makeProject();
  const gh = await startFakeGitHub();
  const port = freePort();
  const server = spawnHttpServer(project.root, port, {
    fakeGitHub: { base: gh.base, net: `127.0.0.1:${gh.port}` },
    extraArgs: ["--fetch-timeout-ms", "30000", "--shutdown-timeout-ms", "500"],
  });
  try {
    await waitFor(() => server.stderr().includes('"listening"'), "the server to listen", 30_000);
    const { client, close } = await connectHttp(server.mcpUrl);
    try {
      const inFlight =
        (client.callTool({ name: "fetch_github_file", arguments: SLOW }) as Promise<CallToolResult>)
          .then((r) => textOf(r), (e) => `error: ${(e as Error).message}`);
      await waitFor(
        () => gh.requests.some((r) => r.path.endsWith(`/${FAKE_FILES.slow}`)),
        "the slow fetch to start",
      );
      const signalled = performance.now();
      server.kill("SIGTERM");
      const status = await server.exited;
      const took = performance.now() - signalled;
      assertEquals(status.code, 0, server.stderr());
      assert(took < 3000, `exit took ${took} ms`);
      assertMatch(server.stderr(), /shutdown bound reached/);
      assertMatch(await inFlight, /^Cancelled \(request [0-9a-f.]+\)$/);
      assert(performance.now() - signalled < 3000, "the client heard of it at once");
    } finally {
      await close();
    }
  } finally {
    await server.stop();
    await gh.close();
    await project.cleanup();
  }
});
