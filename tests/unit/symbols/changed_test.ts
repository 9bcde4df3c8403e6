/** changedSymbols(): which functions and classes a change touched, with complexity before -> after. */
import { assertEquals } from "../../assert.ts";
import { changedSymbols, complexityFindings } from "../../../src/symbols/changed.ts";

const BEFORE = `class Store:
    def get(self, k):
        return self.d[k]

    def put(self, k, v):
        self.d[k] = v


def helper(x):
    return x


def gone():
    pass
`;

const AFTER = `class Store:
    def get(self, k):
        return self.d[k]

    def put(self, k, v):
        if k is None or v is None:
            raise ValueError(k)
        if k in self.d and self.d[k] == v:
            return
        for a in range(3):
            if a and k:
                while v:
                    v -= 1
        try:
            self.d[k] = v
        except KeyError:
            pass
        self.d[k] = v if v else None


def helper(x):
    return x


def fresh(y):
    return y
`;

Deno.test("changedSymbols(): a method edited inside a class is the method's change, not the class's; added and removed functions", async () => {
  const r = await changedSymbols("app/store.py", BEFORE, AFTER);
  assertEquals(r?.symbols, [
    {
      name: "Store.put",
      kind: "method",
      change: "modified",
      line: 5,
      complexity_before: 1,
      complexity_after: 11,
    },
    { name: "fresh", kind: "function", change: "added", line: 25, complexity_after: 1 },
    { name: "gone", kind: "function", change: "removed", line: 13, complexity_before: 1 },
  ]);
  assertEquals(complexityFindings(r!.symbols), [
    { line: 5, message: "Store.put: cyclomatic complexity 1 -> 11 (over 10)" },
  ]);
});

Deno.test("changedSymbols(): a new file is all added, a deleted one all removed, another language is undefined", async () => {
  const added = await changedSymbols("a.go", "", "package a\n\nfunc F() int { return 1 }\n");
  assertEquals(added?.symbols.map((s) => [s.name, s.change]), [["F", "added"]]);
  const removed = await changedSymbols("a.rs", "fn f() {}\n", "");
  assertEquals(removed?.symbols.map((s) => [s.name, s.change]), [["f", "removed"]]);
  assertEquals(await changedSymbols("a.kt", "fun f() {}", "fun g() {}"), undefined);
});
