/**
 * pylint's own file selection, as `pylint --recursive=y .` applies it: a folder or file is left
 * out when its name is in `ignore` (default CVS), its name matches an `ignore-patterns` regular
 * expression (default `^\.#`) from its start, or its path from the root matches an `ignore-paths`
 * expression; only `.py` files are taken. Pure: paths are root-relative, "/"-separated.
 */

export interface PylintSelection {
  ignore: readonly string[];
  ignorePatterns: readonly string[];
  ignorePaths: readonly string[];
}

export const DEFAULT_PYLINT_SELECTION: PylintSelection = {
  ignore: ["CVS"],
  ignorePatterns: ["^\\.#"],
  ignorePaths: [],
};

/** A Python regular expression matched from the start (re.match); null when JavaScript cannot read it. */
function fromStart(pattern: string): RegExp | null {
  try {
    return new RegExp(`^(?:${pattern})`, "u");
  } catch {
    return null;
  }
}

/** pylint's _is_ignored_file for one path. */
function ignoredEntry(sel: PylintSelection, rel: string): boolean {
  const name = rel.slice(rel.lastIndexOf("/") + 1);
  if (sel.ignore.includes(name)) return true;
  if (sel.ignorePatterns.some((p) => fromStart(p)?.test(name) === true)) return true;
  return sel.ignorePaths.some((p) => fromStart(p)?.test(rel) === true);
}

/** Whether `pylint --recursive=y .` leaves out folder or file `rel` (its folders on the way included). */
export function pylintExcludes(sel: PylintSelection, rel: string): boolean {
  const parts = rel.split("/");
  for (let i = 1; i <= parts.length; i++) {
    if (ignoredEntry(sel, parts.slice(0, i).join("/"))) return true;
  }
  return false;
}

/** Whether `pylint --recursive=y .` checks file `rel` found in a folder. */
export function pylintSelects(sel: PylintSelection, rel: string): boolean {
  return rel.endsWith(".py") && !pylintExcludes(sel, rel);
}
