import { assertEquals } from "../../assert.ts";
import {
  bearerChallenge,
  metadataDocument,
  metadataPaths,
  metadataUrl,
} from "../../../src/auth/protected_resource.ts";

Deno.test("metadataUrl() and metadataPaths() follow RFC 9728 for a resource with a path", () => {
  assertEquals(
    metadataUrl("https://mcp.example.com/mcp"),
    "https://mcp.example.com/.well-known/oauth-protected-resource",
  );
  assertEquals(metadataPaths("https://mcp.example.com/mcp"), [
    "/.well-known/oauth-protected-resource",
    "/.well-known/oauth-protected-resource/mcp",
  ]);
  assertEquals(metadataPaths("https://mcp.example.com/"), [
    "/.well-known/oauth-protected-resource",
  ]);
});

Deno.test("metadataDocument() names the resource and its authorization server", () => {
  const doc = metadataDocument(
    "https://mcp.example.com/mcp",
    "https://auth.example.com",
    "tools:execute",
  );
  assertEquals(doc["resource"], "https://mcp.example.com/mcp");
  assertEquals(doc["authorization_servers"], ["https://auth.example.com"]);
});

Deno.test("bearerChallenge() quotes parameter values and drops control characters", () => {
  assertEquals(bearerChallenge({}), "Bearer");
  assertEquals(
    bearerChallenge({
      resourceMetadata: "https://h/m",
      error: "invalid_token",
      description: 'say "hi"\r\nX-Evil: 1',
    }),
    'Bearer resource_metadata="https://h/m", error="invalid_token", error_description="say \\"hi\\"X-Evil: 1"',
  );
});
