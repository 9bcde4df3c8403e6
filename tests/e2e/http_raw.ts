/**
 * A raw HTTP/1.1 exchange over TCP, for what fetch will not send: a forged Host
 * header, or bytes that are not quite HTTP. Bounded in time; the connection is closed.
 */

export interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/** Sends `request` as is (CRLF line ends expected) and reads until the server closes. */
export async function rawHttp(
  port: number,
  request: string | Uint8Array,
  timeoutMs = 5_000,
): Promise<RawAnswer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }, timeoutMs);
  try {
    await conn.write(typeof request === "string" ? new TextEncoder().encode(request) : request);
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(16 * 1024);
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch {
        break;
      }
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    const text = new TextDecoder().decode(concat(chunks));
    const [head = "", body = ""] = splitOnce(text, "\r\n\r\n");
    const status = Number(head.match(/^HTTP\/1\.[01] (\d{3})/)?.[1] ?? 0);
    return { status, head, body };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Closed by the timer.
    }
  }
}

/** A complete request with `Connection: close`, so the server ends the exchange. */
export function httpRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
): string {
  const lines = [`${method} ${path} HTTP/1.1`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body !== "" || method === "POST") {
    lines.push(`content-length: ${new TextEncoder().encode(body).byteLength}`);
  }
  lines.push("connection: close");
  return lines.join("\r\n") + "\r\n\r\n" + body;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + sep.length)];
}
