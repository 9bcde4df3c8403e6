/**
 * The ignore files git itself reads: .git/info/exclude and each folder's .gitignore, read inside
 * the worker. Shared by the project walk (src/sandbox/walk.ts) and the change list
 * (src/git/changes.ts), so both skip exactly what git would.
 */
import * as path from "node:path";
import { IgnoreRules } from "../policy/walk.ts";

/** Told of each ignore file looked at: its stat, or null when absent (a cache's validity trace). */
export type IgnoreFileObserver = (abs: string, info: Deno.FileInfo | null) => void;

/** Reads a small text file (.gitignore, exclude); "" when absent or unreadable. */
export function readSmallText(abs: string, seen?: IgnoreFileObserver): string {
  try {
    const info = Deno.lstatSync(abs);
    seen?.(abs, info);
    if (!info.isFile || info.size > 256 * 1024) return "";
    return Deno.readTextFileSync(abs);
  } catch {
    seen?.(abs, null);
    return "";
  }
}

/** The ignore rules in force in folder `rel` ("" for the root): exclude, then each .gitignore on the way down. */
export function rulesFor(root: string, rel: string, seen?: IgnoreFileObserver): IgnoreRules {
  let rules = IgnoreRules.empty();
  const exclude = readSmallText(path.join(root, ".git", "info", "exclude"), seen);
  if (exclude !== "") rules = rules.with("", exclude);
  const parts = rel === "" || rel === "." ? [] : rel.split("/");
  let base = "";
  for (let i = 0; i <= parts.length; i++) {
    const text = readSmallText(path.join(root, base, ".gitignore"), seen);
    if (text !== "") rules = rules.with(base, text);
    if (i < parts.length) base += parts[i] + "/";
  }
  return rules;
}
