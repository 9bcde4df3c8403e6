/**
 * A request id per HTTP request: a well-formed incoming X-Request-Id is honoured (so a
 * proxy's id follows the request through the logs), otherwise a fresh one; echoed back.
 */
import { newRequestId } from "../../server.ts";
import { withHeader } from "../http_responses.ts";
import type { Middleware } from "./types.ts";

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): Middleware {
  return async (c, next) => {
    const incoming = c.req.headers.get("x-request-id");
    c.requestId = incoming !== null && REQUEST_ID_RE.test(incoming) ? incoming : newRequestId();
    return withHeader(await next(), "x-request-id", c.requestId);
  };
}
