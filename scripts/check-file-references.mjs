#!/usr/bin/env node
// Fails when a README, doc or code comment names a file of this repository that does not exist,
// or a Markdown link points at a heading (`docs/x.md#some-heading`, `#some-heading`) that the
// target page does not have.
// Stale references are how docs rot: a renamed module leaves "see x.ts" behind, and a newcomer
// following it finds nothing. Checked: relative Markdown links, and `backticked` paths with a
// known extension (`packages/server/src/errors.ts`, `errors.ts`). A path with a slash must resolve
// from the file's folder, its package (or its src/ and test/) or the repository root; a bare file name must exist
// somewhere in the repository. Names a user writes (their `app.ts`) or a build writes (`dist/…`)
// are allowed below.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, basename } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const skipDirs = new Set(["node_modules", "dist", ".git", "coverage"]);
const scanned = /\.(md|ts|tsx|mjs|js)$/;
const extensions = "ts|tsx|js|mjs|cjs|json|md|css|html|yml|yaml|sh";
const backticked = new RegExp("`((?:[\\w.@-]+/)*[\\w.@-]+\\.(?:" + extensions + "))`", "g");
// Unquoted paths with a folder (`see bench/README.md`), not part of a URL.
const barePath = new RegExp("(?<![\\w.:/@-])((?:[\\w.@-]+/)+[\\w.@-]+\\.(?:" + extensions + "))(?![\\w/])", "g");
const markdownLink = /\]\(((?!https?:|mailto:|#)[^)\s]+)\)/g;

// Files a user or a build creates, named in docs as examples.
const allowed = new Set(["app.ts", "./app.ts", "./app.js", "index.html", "embed.html", "package.json", "tsconfig.json", ".env", "widget.js"]);
// Package specifiers (`@parlor/web/package.json`) name a published file, not a path here.
const allowedPrefixes = ["dist/", "node_modules/", "/", "@parlor/", "parlor/"];

function walk(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name) && !entry.name.startsWith(".")) walk(join(dir, entry.name), out);
    } else {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

const everyFile = walk(root);
const files = everyFile.filter((file) => scanned.test(file)).concat(join(root, ".ci/run"));
const basenames = new Set(everyFile.map((file) => basename(file)));
for (const dir of ["packages", "examples", "bench", "docs"]) {
  if (existsSync(join(root, dir))) for (const f of readdirSync(join(root, dir))) basenames.add(f);
}

function packageRoot(file) {
  for (let dir = dirname(file); dir.startsWith(root); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dir === root) break;
  }
  return root;
}

function resolves(reference, file) {
  const path = reference.split("#")[0];
  if (path === "") return true;
  if (allowed.has(path) || allowedPrefixes.some((prefix) => path.startsWith(prefix))) return true;
  if (!path.includes("/")) return basenames.has(path);
  const pkg = packageRoot(file);
  // Inside a package, `data/user-store.ts` names a file under its src/ (or test/).
  const candidates = [dirname(file), pkg, join(pkg, "src"), join(pkg, "test"), root];
  // A source file imports `./x.js` compiled from `./x.ts`.
  const variants = [path, path.replace(/\.js$/, ".ts"), path.replace(/\.js$/, ".tsx")];
  return candidates.some((base) => variants.some((v) => existsSync(join(base, v))));
}

/** GitHub's anchors of a Markdown file's headings: lower-cased, punctuation dropped, spaces as `-`, repeats numbered. */
const anchorCache = new Map();
function anchorsOf(markdownFile) {
  if (!anchorCache.has(markdownFile)) {
    const anchors = new Set();
    const seen = new Map();
    let fenced = false;
    for (const line of readFileSync(markdownFile, "utf8").split("\n")) {
      if (line.startsWith("```")) fenced = !fenced;
      const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
      if (!heading) continue;
      const slug = heading[1]
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-");
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    anchorCache.set(markdownFile, anchors);
  }
  return anchorCache.get(markdownFile);
}

/** A link's `#anchor` must be a heading of the Markdown page it names (or of this page). */
function anchorResolves(link, file) {
  const [path, anchor] = link.split("#");
  if (!anchor) return true;
  const target = path === "" ? file : join(dirname(file), path);
  if (!target.endsWith(".md") || !existsSync(target)) return true;
  return anchorsOf(target).has(decodeURIComponent(anchor));
}

const problems = [];
for (const file of files) {
  if (file === fileURLToPath(import.meta.url)) continue;
  const text = readFileSync(file, "utf8");
  const isMarkdown = file.endsWith(".md");
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    // In code, only comments name files for a reader; imports are checked by the compiler.
    if (!isMarkdown && !/^\s*(\/\/|\*|\/\*|#)/.test(line)) return;
    const references = [...line.matchAll(backticked), ...line.matchAll(barePath)].map((m) => m[1]);
    if (isMarkdown) {
      references.push(...[...line.matchAll(markdownLink)].map((m) => m[1]));
      for (const [, link] of line.matchAll(/\]\(((?!https?:|mailto:)[^)\s]*#[^)\s]+)\)/g)) {
        if (!anchorResolves(link, file)) problems.push(`${relative(root, file)}:${index + 1}: ${link} (no such heading)`);
      }
    }
    for (const reference of references) {
      if (!resolves(reference, file)) problems.push(`${relative(root, file)}:${index + 1}: ${reference}`);
    }
  });
}

if (problems.length > 0) {
  console.error(`File references that do not resolve (${problems.length}):\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(`File references: ${files.length} files checked, all resolve.`);
