/**
 * Small builders for the HTTP answers given before MCP runs: JSON-RPC error bodies
 * (what an MCP client can parse) with the right status, and a body wrapper that says
 * when a streamed response has ended, so per-request servers and gauges are released.
 */

export type JsonRpcId = string | number | null;

/**
 * A JSON-RPC error response with an HTTP status.
 *
 * @example jsonRpcError(413, -32000, "Payload Too Large") // 413, {"jsonrpc":"2.0","error":{...},"id":null}
 */
export function jsonRpcError(
  status: number,
  code: number,
  message: string,
  opts: { id?: JsonRpcId; headers?: Record<string, string> } = {},
): Response {
  return new Response(
    JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: opts.id ?? null }),
    {
      status,
      headers: { "content-type": "application/json", ...opts.headers },
    },
  );
}

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

/** The response with one header set, copying it when its headers are immutable. */
export function withHeader(res: Response, name: string, value: string): Response {
  try {
    res.headers.set(name, value);
    return res;
  } catch {
    const copy = new Response(res.body, res);
    copy.headers.set(name, value);
    return copy;
  }
}

/**
 * Calls `done` once when the response body has been read to the end, failed, or was
 * cancelled by the client (or at once when there is no body).
 */
export function onBodyDone(res: Response, done: () => void): Response {
  let called = false;
  const finish = () => {
    if (called) return;
    called = true;
    done();
  };
  if (res.body === null) {
    finish();
    return res;
  }
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          controller.close();
          finish();
        } else {
          controller.enqueue(value);
        }
      } catch (err) {
        controller.error(err);
        finish();
      }
    },
    async cancel(reason) {
      finish();
      await reader.cancel(reason).catch(() => {});
    },
  });
  return new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}

/** True for a server-sent event stream. */
export function isEventStream(res: Response): boolean {
  return (res.headers.get("content-type") ?? "").toLowerCase().startsWith("text/event-stream");
}
