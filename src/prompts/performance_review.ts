import type { GetPromptResult } from "../sdk.ts";
import type { ResourceContext } from "../resources/types.ts";
import { filePathArg, reviewMaterial } from "./shared.ts";

export function performanceReviewPrompt(ctx: ResourceContext) {
  return {
    name: "performance_review",
    config: {
      title: "Performance review",
      description:
        "Review one file of the project for performance problems, each finding with impact, location and a concrete improvement.",
      argsSchema: { file_path: filePathArg(ctx) },
    },
    async handler({ file_path }: { file_path: string }): Promise<GetPromptResult> {
      const { rel, howToRead, messages } = await reviewMaterial(ctx, file_path);
      const text = `Perform a performance review of \`${rel}\`.

${howToRead}

Look for:
1. N+1 queries: a database or network call inside a loop that one batched query could replace.
2. Needless loops and nested iterations: quadratic work over collections, repeated linear searches that a set or dict would make constant time.
3. Missing async for I/O: blocking file, network or database calls in async code or on a request path.
4. Large in-memory structures that could stream: whole files or result sets loaded at once where an iterator or generator would do.
5. Repeated computations that could be cached: the same expensive call with the same arguments, work inside a loop that does not depend on the loop.

For each finding give:
- Impact: High, Medium or Low (with the input size at which it starts to matter)
- Location: file and line(s)
- Description: why it is slow
- Improvement: the concrete change, with a short code sketch where it helps

Order findings by impact. Do not suggest micro-optimisations without a measurable effect.`;
      return {
        description: `Performance review of ${rel}`,
        messages: [{ role: "user", content: { type: "text", text } }, ...messages],
      };
    },
  };
}
