/**
 * Measures the built-in ruff engine on a generated 500-line Python file: the first check in a
 * fresh process (module import + wasm compile + instantiate + check), the first check after
 * warmUp() has finished, and the steady state. Prints medians of several fresh processes.
 *
 *   deno run --allow-run --allow-read scripts/ruff_latency.ts [processes=7] [iterations=50]
 */

/** A 500-line module with the usual mix of findings (unused import, long line, mutable default). */
export function pythonSource(lines = 500): string {
  const out = [
    '"""Generated module for latency measurements."""',
    "",
    "import os",
    "import sys",
    "",
    "",
  ];
  for (let i = 0; out.length < lines - 6; i++) {
    out.push(
      `def function_${i}(values, extra=[]):`,
      `    """Return a summary of values number ${i}."""`,
      `    total = sum(v * ${i} for v in values if v is not None)`,
      `    label = "value %d is %s" % (${i}, total)  # a comment that makes this line rather long indeed ok`,
      "    return {'total': total, 'label': label, 'extra': extra}",
      "",
      "",
    );
  }
  out.push("", "class Holder:", '    """Hold things."""', "", "    pass", "");
  return out.slice(0, lines).join("\n") + "\n";
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const at = (i: number) => sorted[i] ?? NaN;
  return sorted.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

async function child(mode: string, iterations: number): Promise<void> {
  const source = pythonSource();
  const started = performance.now();
  const engine = await import("../src/linters/ruff/engine.ts");
  const { DEFAULT_RUFF_SETTINGS } = await import("../src/linters/ruff/config.ts");
  let first: number;
  if (mode === "after-warm-up") {
    await engine.warmUp();
    const t = performance.now();
    await engine.checkSource(source, DEFAULT_RUFF_SETTINGS, "bench.py");
    first = performance.now() - t;
  } else {
    const result = await engine.checkSource(source, DEFAULT_RUFF_SETTINGS, "bench.py");
    first = performance.now() - started;
    if (!result.ok) throw new Error(result.reason);
  }
  const steady: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await engine.checkSource(source, DEFAULT_RUFF_SETTINGS, "bench.py");
    steady.push(performance.now() - t);
  }
  console.log(JSON.stringify({ first, steady: median(steady) }));
}

async function main(): Promise<void> {
  if (Deno.args[0] === "--child") return await child(Deno.args[1] ?? "cold", Number(Deno.args[2]));
  const processes = Number(Deno.args[0] ?? 7);
  const iterations = Number(Deno.args[1] ?? 50);
  const results = {
    cold: { first: [] as number[], steady: [] as number[] },
    "after-warm-up": { first: [] as number[], steady: [] as number[] },
  };
  for (const mode of ["cold", "after-warm-up"] as const) {
    for (let i = 0; i < processes; i++) {
      const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-prompt", import.meta.filename!, "--child", mode, String(iterations)],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!success) throw new Error(new TextDecoder().decode(stderr));
      const { first, steady } = JSON.parse(new TextDecoder().decode(stdout));
      results[mode].first.push(first);
      results[mode].steady.push(steady);
    }
  }
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(`ruff engine latency, 500-line file, median of ${processes} fresh processes:`);
  console.log(
    `  first call, cold (import + wasm compile + instantiate + check): ${
      ms(median(results.cold.first))
    }`,
  );
  console.log(
    `  first call after warmUp() finished:                             ${
      ms(median(results["after-warm-up"].first))
    }`,
  );
  console.log(
    `  steady state (median of ${iterations} checks in each process):           ${
      ms(median(results.cold.steady))
    }`,
  );
}

if (import.meta.main) await main();
