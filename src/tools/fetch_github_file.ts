import { z } from "zod";
import { LIMITS } from "../config.ts";
import { formatBytes } from "../policy/paths.ts";
import { defineTool, toolError } from "./types.ts";

export const fetchGithubFile = defineTool({
  name: "fetch_github_file",
  title: "Fetch GitHub file",
  description:
    "Fetch one raw file from a GitHub repository (https://raw.githubusercontent.com/{owner}/{repo}/{ref}/{path}), " +
    "for example a reference implementation or an upstream version of a file under review. Public repositories " +
    "always; private ones when the server has a GITHUB_TOKEN. " +
    `Text files up to ${formatBytes(LIMITS.fetchMaxBytes)}; results are cached for a few minutes.`,
  inputSchema: {
    owner: z.string().min(1).max(39).describe("Repository owner (user or organisation), e.g. \"denoland\""),
    repo: z.string().min(1).max(100).describe("Repository name, e.g. \"deno\""),
    path: z.string().min(1).max(1024).describe("File path inside the repository, e.g. \"cli/main.rs\""),
    ref: z.string().min(1).max(255).default("HEAD").describe("Branch, tag or commit SHA (default: the repository's default branch)"),
  },
  outputSchema: {
    owner: z.string().describe("Repository owner"),
    repo: z.string().describe("Repository name"),
    ref: z.string().describe("Branch, tag or commit (HEAD: the default branch)"),
    path: z.string().describe("File path inside the repository"),
    url: z.string().describe("The raw URL that was fetched"),
    content: z.string().describe("The file's text"),
    size: z.number().int().describe("Size in bytes"),
    etag: z.string().optional().describe("The server's ETag, when it sent one"),
    cache: z.enum(["miss", "hit", "revalidated"]).describe("Whether the answer came from the cache"),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async handler({ owner, repo, path, ref }, ctx) {
    const r = await ctx.github.get({ owner, repo, ref, path }, ctx.signal);
    if (!r.ok) return toolError(r.message);
    return {
      content: [{ type: "text", text: r.text === "" ? "(empty file)" : r.text }],
      structuredContent: {
        owner,
        repo,
        ref,
        path,
        url: r.url,
        content: r.text,
        size: r.bytes,
        ...(r.etag ? { etag: r.etag } : {}),
        cache: r.cached,
      },
    };
  },
});
