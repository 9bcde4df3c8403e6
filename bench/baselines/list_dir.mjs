/**
 * The list_directory work both Node baselines share, mirroring what our sandbox does
 * (realpath, containment by whole components, readdir, sort, lstat of the shown entries,
 * cap at 1000), so that the floor/SDK/ours ratios compare frameworks, not workloads.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const MAX_ENTRIES = 1000;

function kindOf(st) {
  if (st.isSymbolicLink()) return "symlink";
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "directory";
  return "other";
}

/** Lists `requested` (relative to `root`, a real path); returns the tool result or throws. */
export function listDir(root, requested) {
  const real = fs.realpathSync(path.resolve(root, requested || "."));
  if (real !== root && !real.startsWith(root + path.sep)) throw new Error("path is outside the project root");
  const names = fs.readdirSync(real);
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const entries = names.slice(0, MAX_ENTRIES).map((name) => {
    const st = fs.lstatSync(path.join(real, name));
    const kind = kindOf(st);
    return kind === "file" ? { name, type: kind, size: st.size } : { name, type: kind };
  });
  const text = entries.map((e) => (e.type === "directory" ? `${e.name}/` : e.type === "file" ? `${e.name}  (${e.size} B)` : `${e.name}  [${e.type}]`)).join("\n");
  const rel = path.relative(root, real) || ".";
  return {
    content: [{ type: "text", text: entries.length === 0 ? "(empty directory)" : text }],
    structuredContent: { path: rel, entries, total: names.length, truncated: names.length > MAX_ENTRIES },
  };
}
