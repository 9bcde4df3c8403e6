/**
 * Private key block markers (PEM "-----BEGIN ... PRIVATE KEY-----" and its END), kept apart
 * from the redaction rules so that the sandbox worker (a ranged reader, search_code) can track
 * them without loading the rule set.
 */

/** A BEGIN or END marker's text after "-----BEGIN" / "-----END". */
const KEY_LABEL = "[A-Z0-9 ]{0,40}PRIVATE KEY[A-Z ]{0,20}-----";
/** A BEGIN or END marker of a private key block; group 1 says which. */
export const KEY_MARKER = new RegExp(`-----(BEGIN|END)${KEY_LABEL}`, "g");
const KEY_BEGIN = new RegExp(`-----BEGIN${KEY_LABEL}`, "g");
const KEY_END = new RegExp(`-----END${KEY_LABEL}`, "g");

/**
 * Whether a private key block is open after `text`, given whether one was open before it: the
 * last BEGIN or END marker decides. Lets a reader that skips lines know that a page starts
 * inside a key.
 *
 * @example keyBlockOpenAfter("x\n-----BEGIN RSA PRIVATE KEY-----\nMIIE", false) === true
 */
export function keyBlockOpenAfter(text: string, openBefore: boolean): boolean {
  if (!text.includes("PRIVATE KEY")) return openBefore;
  let open = openBefore;
  for (const m of text.matchAll(KEY_MARKER)) open = m[1] === "BEGIN";
  return open;
}

/**
 * Lines (1-based) inside a PEM private key block, from its BEGIN line to its END line (or the
 * end of the text). A search shows lines one by one, without the markers that let the
 * redactor recognise a key, so these lines are replaced whole.
 */
export function privateKeyLines(text: string): Set<number> {
  const out = new Set<number>();
  if (!text.includes("PRIVATE KEY")) return out;
  // Line numbers of increasing offsets, counted once over the text (each pass below only moves forward).
  const counter = () => {
    let n = 1, at = 0;
    return (offset: number) => {
      for (let i = text.indexOf("\n", at); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
        n++;
        at = i + 1;
      }
      return n;
    };
  };
  const lineOf = counter();
  KEY_BEGIN.lastIndex = 0;
  for (let b = KEY_BEGIN.exec(text); b !== null; b = KEY_BEGIN.exec(text)) {
    const first = lineOf(b.index);
    KEY_END.lastIndex = b.index;
    const e = KEY_END.exec(text);
    const last = lineOf(e === null ? text.length : e.index);
    for (let l = first; l <= last; l++) out.add(l);
    if (e === null) break;
    KEY_BEGIN.lastIndex = e.index + e[0].length;
  }
  // An END without its BEGIN (a key pasted in part): everything before it.
  const endLine = counter();
  let covered = 0;
  KEY_END.lastIndex = 0;
  for (let e = KEY_END.exec(text); e !== null; e = KEY_END.exec(text)) {
    const l = endLine(e.index);
    if (out.has(l)) continue;
    for (let k = covered + 1; k <= l; k++) out.add(k);
    covered = l;
  }
  return out;
}

/** What a search shows for a line inside a private key block. */
export const PRIVATE_KEY_LINE = "[REDACTED private-key]";
