import assert from "node:assert/strict";
import {
  GitHubRawClient,
  type GitHubRawClientOptions,
  type RawFetchResult,
  unreachableMessage,
} from "../../../src/github/raw_client.ts";
import { fetchRaw, FetchTimeoutError, isFetchTimeout } from "../../../src/sandbox/fetch_raw.ts";
import type { FetchRawRequest, FetchRawResult } from "../../../src/sandbox/protocol.ts";
import {
  FAKE_FILES,
  FAKE_OWNER,
  FAKE_PRIVATE_REPO,
  FAKE_PRIVATE_TEXT,
  FAKE_README_ETAG,
  FAKE_README_TEXT,
  FAKE_REF,
  FAKE_REPO,
  FAKE_TOKEN,
  type FakeGitHub,
  startFakeGitHub,
} from "../../fixtures/fake_github.ts";

const file = (path: string) => ({ owner: FAKE_OWNER, repo: FAKE_REPO, ref: FAKE_REF, path });
const label = (path: string) => `${FAKE_OWNER}/${FAKE_REPO}@${FAKE_REF}:${path}`;
const privateFile = {
  owner: FAKE_OWNER,
  repo: FAKE_PRIVATE_REPO,
  ref: FAKE_REF,
  path: FAKE_FILES.private,
};

/** Runs `fn` with a fresh fake server and a client on it; closes the server afterwards. */
async function withFake(
  options: Partial<GitHubRawClientOptions>,
  fn: (fake: FakeGitHub, client: GitHubRawClient) => Promise<void>,
): Promise<void> {
  const fake = await startFakeGitHub();
  try {
    const client = new GitHubRawClient({ fetchRaw, base: fake.base, ...options });
    await fn(fake, client);
  } finally {
    await fake.close();
  }
}

function assertFailure(r: RawFetchResult, kind: string, message: string): void {
  assert.equal(r.ok, false, `expected a ${kind} failure`);
  if (r.ok) return;
  assert.equal(r.kind, kind, r.reason);
  assert.equal(r.reason, message);
}

Deno.test("get() returns the text, ETag and URL of a file (cache miss)", async () => {
  await withFake({}, async (fake, client) => {
    const r = await client.get(file(FAKE_FILES.text));
    assert.ok(r.ok);
    assert.equal(r.value.text, FAKE_README_TEXT);
    assert.equal(r.value.etag, FAKE_README_ETAG);
    assert.equal(
      r.value.url,
      `${fake.base}/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/${FAKE_FILES.text}`,
    );
    assert.equal(r.value.cached, "miss");
    assert.equal(r.value.bytes, new TextEncoder().encode(FAKE_README_TEXT).byteLength);
    assert.equal(fake.requests.length, 1);
    assert.equal(fake.requests[0]?.headers["user-agent"], "code-review-mcp");
    assert.equal(fake.requests[0]?.headers["authorization"], undefined);
  });
});

Deno.test("get() percent-encodes the path it requests", async () => {
  await withFake({}, async (fake, client) => {
    fake.setFile(`/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/docs/my%20notes%2B.md`, "notes\n");
    const r = await client.get(file("docs/my notes+.md"));
    assert.ok(r.ok, r.ok ? "" : r.reason);
    assert.equal(r.value.text, "notes\n");
  });
});

Deno.test("get() reports a 404 as not_found with owner/repo@ref:path", async () => {
  await withFake({}, async (_fake, client) => {
    const r = await client.get(file(FAKE_FILES.missing));
    assertFailure(r, "not_found", `HTTP 404 for ${label(FAKE_FILES.missing)}`);
  });
});

Deno.test("get() refuses invalid parts without any request", async () => {
  await withFake({}, async (fake, client) => {
    const r = await client.get(file("../../etc/passwd"));
    assert.ok(!r.ok && r.kind === "invalid");
    assert.match(r.reason, /^Invalid path "\.\.\/\.\.\/etc\/passwd": /);
    const o = await client.get({ ...file("a"), owner: "a b" });
    assert.ok(!o.ok && o.kind === "invalid" && o.reason.startsWith('Invalid owner "a b": '));
    assert.equal(fake.requests.length, 0);
  });
});

Deno.test("get() refuses a redirect to another host and never contacts it", async () => {
  await withFake({}, async (fake, client) => {
    const r = await client.get(file(FAKE_FILES.foreignRedirect));
    assertFailure(
      r,
      "redirect",
      `Refused redirect to evil.example for ${label(FAKE_FILES.foreignRedirect)}`,
    );
    assert.equal(fake.requests.length, 1);
  });
});

Deno.test("get() follows a same-host redirect and returns the target's text", async () => {
  await withFake({ token: FAKE_TOKEN }, async (fake, client) => {
    const r = await client.get(file(FAKE_FILES.sameHostRedirect));
    assert.ok(r.ok, r.ok ? "" : r.reason);
    assert.equal(r.value.text, FAKE_README_TEXT);
    assert.equal(
      r.value.url,
      `${fake.base}/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/${FAKE_FILES.text}`,
    );
    assert.deepEqual(fake.requests.map((q) => q.path), [
      `/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/${FAKE_FILES.sameHostRedirect}`,
      `/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/${FAKE_FILES.text}`,
    ]);
    assert.equal(fake.requests[1]?.headers["authorization"], `Bearer ${FAKE_TOKEN}`);
  });
});

Deno.test("get() stops after 3 redirects", async () => {
  await withFake({}, async (fake, client) => {
    const r = await client.get(file(FAKE_FILES.redirectLoop));
    assertFailure(
      r,
      "redirect",
      `Too many redirects (more than 3) for ${label(FAKE_FILES.redirectLoop)}`,
    );
    assert.equal(fake.requests.length, 4);
  });
});

Deno.test("get() reports a file over the cap as too_large", async () => {
  await withFake({}, async (_fake, client) => {
    const r = await client.get(file(FAKE_FILES.oversize));
    assertFailure(r, "too_large", `${label(FAKE_FILES.oversize)} is larger than 5 MiB`);
  });
});

Deno.test("get() honours a smaller cap, and a file at the cap passes", async () => {
  await withFake({ maxBytes: 1024 }, async (fake, client) => {
    const p = `/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}`;
    fake.setFile(`${p}/exact.txt`, "x".repeat(1024));
    fake.setFile(`${p}/over.txt`, "x".repeat(1025));
    const exact = await client.get(file("exact.txt"));
    assert.ok(exact.ok && exact.value.bytes === 1024);
    assertFailure(
      await client.get(file("over.txt")),
      "too_large",
      `${label("over.txt")} is larger than 1 KiB`,
    );
  });
});

Deno.test("get() times out on a server that never answers", async () => {
  await withFake({ timeoutMs: 200 }, async (_fake, client) => {
    const start = performance.now();
    const r = await client.get(file(FAKE_FILES.slow));
    assertFailure(r, "timeout", `Timed out after 0.2 s fetching ${label(FAKE_FILES.slow)}`);
    assert.ok(performance.now() - start < 5000);
  });
});

Deno.test("get() times out on a body that stalls halfway", async () => {
  await withFake({ timeoutMs: 200 }, async (_fake, client) => {
    const r = await client.get(file(FAKE_FILES.stall));
    assertFailure(r, "timeout", `Timed out after 0.2 s fetching ${label(FAKE_FILES.stall)}`);
  });
});

Deno.test("get() refuses a file that is not UTF-8 text", async () => {
  await withFake({}, async (_fake, client) => {
    const r = await client.get(file(FAKE_FILES.binary));
    assertFailure(
      r,
      "binary",
      `${
        label(FAKE_FILES.binary)
      } is not UTF-8 text (a binary file); only text files can be fetched`,
    );
  });
});

Deno.test("get() serves a second call from the cache without a request", async () => {
  await withFake({}, async (fake, client) => {
    const first = await client.get(file(FAKE_FILES.text));
    const second = await client.get(file(FAKE_FILES.text));
    assert.ok(first.ok && second.ok);
    assert.equal(first.value.cached, "miss");
    assert.equal(second.value.cached, "hit");
    assert.equal(second.value.text, FAKE_README_TEXT);
    assert.equal(fake.requests.length, 1);
    assert.deepEqual(client.stats(), {
      hits: 1,
      misses: 1,
      revalidations: 0,
      entries: 1,
      bytes: first.value.bytes,
    });
  });
});

Deno.test("get() revalidates a stale entry with If-None-Match and reuses the body on 304", async () => {
  let now = 1_000;
  await withFake({ cacheTtlMs: 60_000, now: () => now }, async (fake, client) => {
    assert.ok((await client.get(file(FAKE_FILES.text))).ok);
    now += 61_000;
    const r = await client.get(file(FAKE_FILES.text));
    assert.ok(r.ok);
    assert.equal(r.value.cached, "revalidated");
    assert.equal(r.value.text, FAKE_README_TEXT);
    assert.equal(fake.requests.length, 2);
    assert.equal(fake.requests[1]?.headers["if-none-match"], FAKE_README_ETAG);
    const again = await client.get(file(FAKE_FILES.text));
    assert.ok(again.ok && again.value.cached === "hit", "a revalidated entry is fresh again");
    assert.equal(fake.requests.length, 2);
    assert.deepEqual(client.stats(), {
      hits: 1,
      misses: 1,
      revalidations: 1,
      entries: 1,
      bytes: r.value.bytes,
    });
  });
});

Deno.test("get() replaces a stale entry whose file changed", async () => {
  let now = 1_000;
  await withFake({ cacheTtlMs: 60_000, now: () => now }, async (fake, client) => {
    const path = `/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/changing.md`;
    fake.setFile(path, "v1\n", '"v1"');
    assert.ok((await client.get(file("changing.md"))).ok);
    fake.setFile(path, "version two\n", '"v2"');
    const fresh = await client.get(file("changing.md"));
    assert.ok(fresh.ok && fresh.value.text === "v1\n", "fresh entries are served without asking");
    now += 61_000;
    const r = await client.get(file("changing.md"));
    assert.ok(r.ok);
    assert.equal(r.value.cached, "miss");
    assert.equal(r.value.text, "version two\n");
    assert.equal(r.value.etag, '"v2"');
    assert.equal(fake.requests.at(-1)?.headers["if-none-match"], '"v1"');
  });
});

Deno.test("get() forgets a stale entry whose file disappeared", async () => {
  let now = 1_000;
  await withFake({ cacheTtlMs: 1_000, now: () => now }, async (fake, client) => {
    const path = `/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/gone.md`;
    fake.setFile(path, "here\n");
    assert.ok((await client.get(file("gone.md"))).ok);
    fake.deleteFile(path);
    now += 2_000;
    assertFailure(
      await client.get(file("gone.md")),
      "not_found",
      `HTTP 404 for ${label("gone.md")}`,
    );
    assert.equal(client.stats().entries, 0);
  });
});

Deno.test("get() sends the token only when set, and the private file needs it", async () => {
  await withFake({}, async (fake, client) => {
    const r = await client.get(privateFile);
    assertFailure(
      r,
      "not_found",
      `HTTP 404 for ${FAKE_OWNER}/${FAKE_PRIVATE_REPO}@${FAKE_REF}:${FAKE_FILES.private}`,
    );
    assert.equal(fake.requests[0]?.headers["authorization"], undefined);
  });
  await withFake({ token: FAKE_TOKEN }, async (fake, client) => {
    const r = await client.get(privateFile);
    assert.ok(r.ok && r.value.text === FAKE_PRIVATE_TEXT);
    assert.equal(fake.requests[0]?.headers["authorization"], `Bearer ${FAKE_TOKEN}`);
  });
});

Deno.test("get() never puts the token in a message", async () => {
  await withFake({ token: FAKE_TOKEN, timeoutMs: 200, maxBytes: 1024 }, async (_fake, client) => {
    const paths = [
      FAKE_FILES.missing,
      FAKE_FILES.foreignRedirect,
      FAKE_FILES.redirectLoop,
      FAKE_FILES.oversize,
      FAKE_FILES.slow,
      FAKE_FILES.binary,
    ];
    for (const path of paths) {
      const r = await client.get(file(path));
      assert.ok(!r.ok, path);
      assert.ok(!r.reason.includes(FAKE_TOKEN), r.reason);
    }
  });
  // A lower layer that quotes the token in its error is redacted too.
  const leaky = new GitHubRawClient({
    base: "http://127.0.0.1:1",
    token: "s3cr3t-token",
    fetchRaw: (req) =>
      Promise.reject(new Error(`connect failed with ${req.headers["Authorization"]}`)),
  });
  const r = await leaky.get(file("a.md"));
  assert.ok(!r.ok && r.kind === "network");
  assert.ok(!r.reason.includes("s3cr3t-token"), r.reason);
  assert.equal(
    r.reason,
    `Cannot fetch "${
      label("a.md")
    }": GitHub (127.0.0.1:1) could not be reached: the network request failed (connect failed with Bearer [redacted]). ` +
      "The server may be offline or its network restricted: try again later, or go on with the review without this file.",
  );
});

Deno.test("get() reports an unreachable server as a network error", async () => {
  const fake = await startFakeGitHub();
  const base = fake.base;
  await fake.close();
  const client = new GitHubRawClient({ fetchRaw, base });
  const r = await client.get(file(FAKE_FILES.text));
  assert.ok(!r.ok && r.kind === "network", r.ok ? "" : r.reason);
  assert.ok(
    r.reason.startsWith(
      `Cannot fetch "${label(FAKE_FILES.text)}": GitHub (${
        new URL(base).host
      }) could not be reached: `,
    ),
    r.reason,
  );
  assert.ok(
    r.reason.endsWith("try again later, or go on with the review without this file."),
    r.reason,
  );
});

Deno.test("unreachableMessage() names the reason a model can act on, for each kind of network failure", () => {
  const table: [string, RegExp][] = [
    [
      'NotCapable: Requires net access to "raw.githubusercontent.com:443"',
      /not permitted to connect there/,
    ],
    [
      "error sending request: dns error: failed to lookup address information",
      /name did not resolve/,
    ],
    ["tcp connect error: Connection refused (os error 111)", /connection was refused/],
    ["connection reset by peer", /connection was cut/],
    ["invalid peer certificate: UnknownIssuer", /secure connection failed/],
    ["Network is unreachable (os error 101)", /no route to it/],
    ["fetch failed", /the network request failed \(fetch failed\)/],
    ["", /the network request failed\. The server/],
  ];
  for (const [detail, want] of table) {
    const m = unreachableMessage("o/r@HEAD:a.md", "raw.githubusercontent.com", detail);
    assert.match(
      m,
      /^Cannot fetch "o\/r@HEAD:a\.md": GitHub \(raw\.githubusercontent\.com\) could not be reached: /,
    );
    assert.match(m, want, detail);
    assert.ok(!m.includes("\n"));
  }
  assert.ok(
    unreachableMessage("x", "h", "y".repeat(500)).length < 400,
    "a long lower-layer message is shortened",
  );
});

Deno.test("concurrent get() calls for one file share one request", async () => {
  await withFake({}, async (fake, client) => {
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => client.get(file(FAKE_FILES.text))));
    for (const r of results) assert.ok(r.ok && r.value.text === FAKE_README_TEXT);
    assert.equal(fake.requests.length, 1);
    assert.equal(client.stats().misses, 1);
  });
});

Deno.test("get() rejects with the caller's abort reason, and the shared fetch still completes", async () => {
  await withFake({ timeoutMs: 300 }, async (_fake, client) => {
    const ac = new AbortController();
    const mine = client.get(file(FAKE_FILES.slow), ac.signal);
    const other = client.get(file(FAKE_FILES.slow));
    ac.abort(new DOMException("cancelled by test", "AbortError"));
    await assert.rejects(
      mine,
      (e: unknown) => e instanceof DOMException && e.name === "AbortError",
    );
    const r = await other;
    assert.ok(!r.ok && r.kind === "timeout", "the other caller still gets its own answer");
  });
});

Deno.test("the cache keeps at most its byte budget", async () => {
  await withFake({ cacheMaxBytes: 100 }, async (fake, client) => {
    const p = `/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}`;
    fake.setFile(`${p}/a.txt`, "a".repeat(60));
    fake.setFile(`${p}/b.txt`, "b".repeat(60));
    fake.setFile(`${p}/huge.txt`, "h".repeat(500));
    assert.ok((await client.get(file("a.txt"))).ok);
    assert.ok((await client.get(file("b.txt"))).ok);
    assert.deepEqual([client.stats().entries, client.stats().bytes], [1, 60]);
    const huge = await client.get(file("huge.txt"));
    assert.ok(
      huge.ok && huge.value.text.length === 500,
      "a file over the budget is returned, just not kept",
    );
    assert.ok(client.stats().bytes <= 100);
  });
});

Deno.test("fetchRaw() makes one request, never follows a redirect, and reports the Location", async () => {
  const fake = await startFakeGitHub();
  try {
    const res = await fetchRaw(
      req(`${fake.base}/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/${FAKE_FILES.foreignRedirect}`),
    );
    assert.equal(res.status, 302);
    assert.equal(
      res.location,
      `http://evil.example/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/${FAKE_FILES.text}`,
    );
    assert.equal(res.body, "");
    assert.equal(fake.requests.length, 1);
  } finally {
    await fake.close();
  }
});

Deno.test("fetchRaw() throws a recognisable timeout error", async () => {
  const fake = await startFakeGitHub();
  try {
    const url = `${fake.base}/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/${FAKE_FILES.slow}`;
    const error = await fetchRaw({ ...req(url), timeoutMs: 100 }).then(() => null, (e) => e);
    assert.ok(error instanceof FetchTimeoutError);
    assert.ok(isFetchTimeout(error));
    // What survives a worker boundary: only the message.
    assert.ok(isFetchTimeout({ name: "Error", message: (error as Error).message }));
    assert.ok(!isFetchTimeout(new Error("connection refused")));
  } finally {
    await fake.close();
  }
});

Deno.test("fetchRaw() stops reading as soon as the body passes maxBytes", async () => {
  const fake = await startFakeGitHub();
  try {
    const url = `${fake.base}/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/${FAKE_FILES.oversize}`;
    const res = await fetchRaw({ ...req(url), maxBytes: 100_000 });
    assert.deepEqual([res.status, res.tooLarge, res.body], [200, true, ""]);
  } finally {
    await fake.close();
  }
});

Deno.test("fetchRaw() treats a NUL byte as binary", async () => {
  const fake = await startFakeGitHub();
  try {
    fake.setFile(`/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/nul.txt`, "text\0more");
    const res: FetchRawResult = await fetchRaw(
      req(`${fake.base}/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/nul.txt`),
    );
    assert.deepEqual([res.status, res.binary, res.body], [200, true, ""]);
  } finally {
    await fake.close();
  }
});

Deno.test("fetchRaw() rejects at once when the caller's signal is already aborted", async () => {
  const ac = new AbortController();
  ac.abort(new Error("stop"));
  await assert.rejects(fetchRaw(req("http://127.0.0.1:1/x"), ac.signal), /stop/);
});

function req(url: string): FetchRawRequest {
  return {
    op: "fetchRaw",
    url,
    headers: { "User-Agent": "code-review-mcp" },
    timeoutMs: 5_000,
    maxBytes: 5 * 1024 * 1024,
  };
}

Deno.test("get() refuses a remote credential file under the local rules, without a request, unless the operator allows them", async () => {
  await withFake({}, async (fake, client) => {
    // Hostile paths: [path, rule].
    const table: [string, string][] = [
      [".env", "dotenv"],
      ["deploy/.env.production", "dotenv"],
      ["certs/server.key", "private-key"],
      ["ssh/id_ed25519", "private-key"],
      [".npmrc", "package-registry-credentials"],
      [".aws/credentials", "cloud-credentials"],
      [".netrc", "netrc"],
    ];
    for (const [path, rule] of table) {
      const r = await client.get(file(path));
      assertFailure(
        r,
        "secret_file",
        `Cannot fetch ${JSON.stringify(label(path))}: is a credential file (rule ${
          JSON.stringify(rule)
        }): the server does not send credentials to the model; its operator can allow such files with --allow-secret-files`,
      );
    }
    assert.equal(fake.requests.length, 0, "no request for a refused file");
    // Templates stay readable, as they are locally.
    fake.setFile(`/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/.env.example`, "DB_PASSWORD=\n");
    assert.ok((await client.get(file(".env.example"))).ok);
    fake.setFile(`/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/.env`, "A=1\n");
    const allowed = await client.get(file(".env"), undefined, { allowSecretFiles: true });
    assert.ok(allowed.ok && allowed.value.text === "A=1\n");
  });
});

Deno.test("get() refuses a redirect that leads to a credential file", async () => {
  await withFake({}, async (fake, client) => {
    fake.setFile(`/${FAKE_OWNER}/${FAKE_REPO}/${FAKE_REF}/deploy/.env`, "A=1\n");
    const r = await client.get(file(FAKE_FILES.credentialRedirect));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.kind, "secret_file");
      assert.match(
        r.reason,
        /Refused redirect of .*redirect-env\.txt to a credential file: .*"dotenv"/,
      );
    }
    assert.equal(fake.requests.length, 1, "the credential file itself was never requested");
  });
});
