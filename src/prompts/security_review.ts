import { z } from "zod";
import type { GetPromptResult } from "../sdk.ts";
import type { ResourceContext } from "../resources/types.ts";
import { filePathArg, reviewMaterial } from "./shared.ts";

export function securityReviewPrompt(ctx: ResourceContext) {
  return {
    name: "security_review",
    config: {
      title: "Security review",
      description:
        "Review one file of the project for security problems, each finding with severity, location, description and remediation.",
      argsSchema: {
        file_path: filePathArg(ctx),
        context: z.string().max(4000).optional().describe(
          "What the code does or what to focus on (optional)",
        ),
      },
    },
    async handler(
      { file_path, context }: { file_path: string; context?: string | undefined },
    ): Promise<GetPromptResult> {
      const { rel, howToRead, messages } = await reviewMaterial(ctx, file_path);
      const text = `Perform a security review of \`${rel}\`.

${howToRead}
${context ? `\nContext from the requester: ${context}\n` : ""}
Examine in particular:
1. Input validation: untrusted input (requests, files, environment, command-line arguments) checked for type, length, range and format before use.
2. Injection: SQL built from strings, shell commands with interpolated input (command injection), path traversal through user-supplied file names, template and code injection (eval, exec, pickle, yaml.load).
3. Authentication and authorization: missing or bypassable checks, privilege escalation, insecure session handling, comparisons that are not constant time.
4. Secrets: hard-coded passwords, tokens, keys or connection strings; secrets written to logs or error messages.
5. Error handling: exceptions swallowed, stack traces or internal details leaked to users, failures that fail open.

For each finding give:
- Severity: Critical, High, Medium or Low
- Location: file and line(s)
- Description: what is wrong and how it could be exploited
- Remediation: the concrete change that fixes it

Order findings by severity. If you find nothing in a category, say so briefly. Do not invent findings you cannot point to in the code.`;
      return {
        description: `Security review of ${rel}`,
        messages: [{ role: "user", content: { type: "text", text } }, ...messages],
      };
    },
  };
}
