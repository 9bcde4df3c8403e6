/**
 * Private key block markers (PEM "-----BEGIN ... PRIVATE KEY-----" and its END), kept apart
 * from the redaction rules so that a reader in the sandbox worker can track them without
 * loading the rule set.
 */

/** A BEGIN or END marker of a private key block; group 1 says which. */
export const KEY_MARKER = /-----(BEGIN|END)[A-Z0-9 ]{0,40}PRIVATE KEY[A-Z ]{0,20}-----/g;

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

