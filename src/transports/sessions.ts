/**
 * Stateful mode's sessions: id -> the session's McpServer and transport. Ids are 256
 * random bits; a session belongs to the subject that opened it (another subject gets
 * 404, as for an unknown id); idle sessions are dropped lazily, and their number is capped.
 */
import type { McpServer, WebStandardStreamableHTTPServerTransport } from "../sdk.ts";

export interface Session {
  readonly server: McpServer;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  /** The subject that initialised it ("" without auth). */
  readonly owner: string;
  lastSeen: number;
  /** Open GET streams: a session with one is never idle. */
  streams: number;
}

/**
 * A session id: 32 random bytes, base64url (visible ASCII, as the specification requires).
 *
 * @example newSessionId() // "q3T0...": 43 characters
 */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(
    /=+$/,
    "",
  );
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #max: number;
  readonly #idleMs: number;
  readonly #now: () => number;

  constructor(o: { max: number; idleMs: number; now?: () => number }) {
    this.#max = o.max;
    this.#idleMs = o.idleMs;
    this.#now = o.now ?? (() => performance.now());
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The session, if it exists, is not idle past the bound and belongs to `owner`. */
  get(id: string, owner: string): Session | undefined {
    const s = this.#sessions.get(id);
    if (s === undefined) return undefined;
    if (this.#expired(s)) {
      this.#drop(id, s);
      return undefined;
    }
    if (s.owner !== owner) return undefined;
    s.lastSeen = this.#now();
    return s;
  }

  /** Room for one more session, after dropping idle ones. */
  hasRoom(): boolean {
    for (const [id, s] of this.#sessions) if (this.#expired(s)) this.#drop(id, s);
    return this.#sessions.size < this.#max;
  }

  add(id: string, s: Omit<Session, "lastSeen" | "streams">): void {
    this.#sessions.set(id, { ...s, lastSeen: this.#now(), streams: 0 });
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }

  all(): Session[] {
    return [...this.#sessions.values()];
  }

  #expired(s: Session): boolean {
    return s.streams === 0 && this.#now() - s.lastSeen > this.#idleMs;
  }

  #drop(id: string, s: Session): void {
    this.#sessions.delete(id);
    void s.server.close().catch(() => {});
  }
}
