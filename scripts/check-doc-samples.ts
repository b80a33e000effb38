/**
 * Type-checks every TypeScript sample in docs/ against the packages' sources, so a doc cannot
 * show an API that does not exist or has changed (npm run lint runs it). A ```ts or ```tsx
 * block is a whole module and must compile as one; a block whose info string says `fragment`
 * (```ts fragment) is a piece of a larger file (an option inside `defineApp({ … })`, say) and
 * is only read, not checked.
 *
 *   node --import tsx scripts/check-doc-samples.ts
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));
const docsDir = join(root, "docs");
// Inside node_modules so the samples resolve packages like the repository's own code does.
const outDir = join(root, "node_modules", ".cache", "parlor-doc-samples");

interface Sample {
  doc: string;
  /** 1-based line of the sample's first code line in the doc. */
  line: number;
  file: string;
}

function extractSamples(): Sample[] {
  const samples: Sample[] = [];
  for (const name of readdirSync(docsDir).filter((file) => file.endsWith(".md"))) {
    const lines = readFileSync(join(docsDir, name), "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const fence = /^```(ts|tsx)(?:\s+(.*))?$/.exec(lines[i]!);
      if (!fence) continue;
      const end = lines.findIndex((line, j) => j > i && line.startsWith("```"));
      const code = lines.slice(i + 1, end).join("\n");
      if (!/\bfragment\b/.test(fence[2] ?? "")) {
        const file = join(outDir, `${name.replace(/\.md$/, "")}-${i + 2}.${fence[1]}`);
        // `export {}` keeps each sample a module of its own, so names do not clash across samples.
        writeFileSync(file, `${code}\nexport {};\n`);
        samples.push({ doc: `docs/${name}`, line: i + 2, file });
      }
      i = end;
    }
  }
  return samples;
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const samples = extractSamples();
const config = ts.getParsedCommandLineOfConfigFile(
  join(root, "tsconfig.test.json"),
  { jsx: ts.JsxEmit.ReactJSX, noEmit: true },
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  },
);
if (!config) throw new Error("cannot read tsconfig.test.json");
const program = ts.createProgram({ rootNames: samples.map((sample) => sample.file), options: config.options });
const bySampleFile = new Map(samples.map((sample) => [sample.file, sample]));
const problems = ts.getPreEmitDiagnostics(program).flatMap((diagnostic) => {
  const sample = diagnostic.file && bySampleFile.get(diagnostic.file.fileName);
  if (!sample || diagnostic.start === undefined) return [];
  const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
  return [`${sample.doc}:${sample.line + line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`];
});
if (problems.length > 0) {
  console.error(`Doc samples that do not type-check (${problems.length}):\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(`Doc samples: ${samples.length} type-checked in ${relative(root, docsDir)}/, all compile.`);
