import { assertEquals } from "../../assert.ts";
import { secretFileReason, secretFileRule, skipInWalk } from "../../../src/policy/secrets.ts";

Deno.test("secretFileRule() refuses each credential-file pattern by its rule", () => {
  const table: [string, string][] = [
    [".env", "dotenv"],
    ["app/.env", "dotenv"],
    [".env.local", "dotenv"],
    [".env.production", "dotenv"],
    [".ENV", "dotenv"],
    [".envrc", "dotenv"],
    ["certs/server.pem", "private-key"],
    ["tls.key", "private-key"],
    ["id_rsa", "private-key"],
    ["deploy/id_ed25519", "private-key"],
    ["id_ecdsa_old", "private-key"],
    ["store.p12", "private-key"],
    ["cert.pfx", "private-key"],
    ["release.keystore", "private-key"],
    ["android/app.jks", "private-key"],
    [".npmrc", "package-registry-credentials"],
    ["frontend/.npmrc", "package-registry-credentials"],
    [".pypirc", "package-registry-credentials"],
    [".netrc", "netrc"],
    [".git-credentials", "git-credentials"],
    [".aws/credentials", "cloud-credentials"],
    ["home/.config/gcloud/application_default_credentials.json", "cloud-credentials"],
    [".docker/config.json", "cloud-credentials"],
    [".kube/config", "cloud-credentials"],
    [".git", "git-internals"],
    [".git/config", "git-internals"],
    [".git/objects/ab/cdef", "git-internals"],
    ["sub/.git/HEAD", "git-internals"],
    ["./.git/config", "git-internals"],
    [".git\\config", "git-internals"],
  ];
  for (const [p, rule] of table) assertEquals(secretFileRule(p), rule, p);
});

Deno.test("secretFileRule() lets templates, public keys and look-alikes through", () => {
  for (
    const p of [
      ".env.example",
      ".env.sample",
      ".env.template",
      "config/.env.dist",
      "env.py",
      "src/environment.ts",
      ".environment",
      "id_rsa.pub",
      "keys/id_ed25519.pub",
      "keyboard.py",
      "monkey.ts",
      "src/key.rs.bak",
      ".gitignore",
      ".github/workflows/ci.yml",
      ".gitattributes",
      "docs/npmrc.md",
      "config.json",
      "README.md",
      ".",
      "",
    ]
  ) {
    assertEquals(secretFileRule(p), undefined, p);
  }
});

Deno.test("the operator's --allow-secret-files allows credential files but not .git internals", () => {
  const allow = { allowSecretFiles: true };
  for (const p of [".env", "id_rsa", ".npmrc", ".aws/credentials", "server.pem"]) {
    assertEquals(secretFileRule(p, allow), undefined, p);
  }
  assertEquals(secretFileRule(".git/config", allow), "git-internals");
  assertEquals(skipInWalk(".git", allow), true);
  assertEquals(skipInWalk("src", allow), false);
});

Deno.test("secretFileReason() names the rule and the flag", () => {
  assertEquals(
    secretFileReason("dotenv"),
    'is a credential file (rule "dotenv"): the server does not send credentials to the model; its operator can allow such files with --allow-secret-files',
  );
  assertEquals(secretFileReason("git-internals").includes("git tools"), true);
});
