import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

/** Every `.ts` file under `dir`, recursively. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The top-level folder (or root file) of a path under src: `auth`, `http`, `errors.ts`, … */
const topOf = (path: string) => relative(SRC, path).split(sep)[0]!.replace(/\.js$/, ".ts");

/**
 * Edges between top-level folders, each with one file that makes it (for the failure message).
 * Imports are read by TypeScript's own pre-processor: static, type-only, side-effect,
 * re-exports and dynamic `import()` alike, so a type-only import counts as a dependency too.
 */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = topOf(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const to = topOf(resolve(dirname(file), fileName));
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, `${relative(SRC, file)} imports ${fileName}`);
    }
  }
  return graph;
}

/** The folder cycles of a graph (its strongly connected components of two or more, Tarjan). */
export function folderCycles(graph: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node)?.keys() ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

describe("folder layers of packages/server/src (server README, Layout)", () => {
  const graph = folderGraph();

  it("reads the real import graph", () => {
    // A parser that found nothing would pass the cycle check below for the wrong reason.
    expect(graph.get("server")?.has("auth")).toBe(true);
    expect(graph.get("auth")?.has("config")).toBe(true);
    expect(graph.get("files")?.has("crypto")).toBe(true);
  });

  it("finds a cycle when there is one", () => {
    const edges = (pairs: [string, string][]) => {
      const g = new Map<string, Map<string, string>>();
      for (const [from, to] of pairs) g.set(from, (g.get(from) ?? new Map()).set(to, ""));
      return g;
    };
    expect(
      folderCycles(
        edges([
          ["a", "b"],
          ["b", "c"],
          ["c", "a"],
          ["c", "d"],
        ]),
      ),
    ).toEqual([["a", "b", "c"]]);
    expect(
      folderCycles(
        edges([
          ["a", "b"],
          ["b", "c"],
          ["a", "c"],
        ]),
      ),
    ).toEqual([]);
  });

  it("has no cycle between top-level folders", () => {
    const report = folderCycles(graph).map((cycle) =>
      cycle.flatMap((from) => cycle.filter((to) => graph.get(from)?.has(to)).map((to) => `  ${from} → ${to}: ${graph.get(from)!.get(to)}`)).join("\n"),
    );
    expect(report, `folder cycles:\n${report.join("\n\n")}`).toEqual([]);
  });

  it("imports only downwards, in the order of the README's layout table", () => {
    const order = [
      "errors.ts",
      "crypto",
      "config",
      "limits",
      "http",
      "data",
      "csrf",
      "auth",
      "files",
      "threads",
      "app",
      "feedback",
      "chat",
      "realtime",
      "cluster",
      "server",
      "index.ts",
    ];
    const upward = [...graph].flatMap(([from, targets]) =>
      [...targets].filter(([to]) => order.indexOf(to) >= order.indexOf(from)).map(([to, where]) => `${from} → ${to}: ${where}`),
    );
    expect(
      [...graph.keys()].filter((folder) => !order.includes(folder)),
      "a folder missing from the order",
    ).toEqual([]);
    expect(upward).toEqual([]);
  });

  it("keeps http/ a leaf: it imports only config/ and errors.ts", () => {
    expect([...(graph.get("http")?.keys() ?? [])].sort()).toEqual(["config", "errors.ts"]);
  });
});
