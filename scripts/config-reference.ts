/**
 * Writes docs/configuration.md from the server's option schema, so the reference cannot drift
 * from the code: the option paths, types, limits and defaults come from the zod schema
 * (`z.toJSONSchema`), the descriptions from the JSDoc comment on each field of
 * packages/server/src/config/server-options.ts, and the environment variables from
 * packages/server/src/config/env-options.ts.
 *
 *   node --import tsx scripts/config-reference.ts           # rewrite the page
 *   node --import tsx scripts/config-reference.ts --check   # fail when the page is stale (npm run lint)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { z } from "zod";
import { environmentVariables } from "../packages/server/src/config/env-options.js";
import { serverOptionsSchema } from "../packages/server/src/config/server-options.js";

const SOURCE = fileURLToPath(new URL("../packages/server/src/config/server-options.ts", import.meta.url));
const PAGE = fileURLToPath(new URL("../docs/configuration.md", import.meta.url));

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  format?: string;
}

/** The JSDoc text of every field of `serverOptionsSchema`, by option path (`session.tokenTtl`). */
function fieldComments(): Map<string, string> {
  const file = ts.createSourceFile(SOURCE, readFileSync(SOURCE, "utf8"), ts.ScriptTarget.Latest, true);
  const comments = new Map<string, string>();
  const visitObject = (literal: ts.ObjectLiteralExpression, prefix: string) => {
    for (const property of literal.properties) {
      if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) continue;
      const path = prefix + property.name.text;
      const doc = ts
        .getJSDocCommentsAndTags(property)
        .map((node) => (ts.isJSDoc(node) ? ts.getTextOfJSDocComment(node.comment) : ""))
        .join(" ");
      if (doc) comments.set(path, doc.replace(/\s+/g, " ").trim());
      // A nested `z.object({...})` inside this field's initializer: its fields are `path.field`.
      const inner = findObjectCall(property.initializer);
      if (inner) visitObject(inner, `${path}.`);
    }
  };
  const findObjectCall = (node: ts.Node): ts.ObjectLiteralExpression | undefined => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "object") {
      const [argument] = node.arguments;
      if (argument && ts.isObjectLiteralExpression(argument)) return argument;
    }
    return ts.forEachChild(node, (child) => (ts.isObjectLiteralExpression(child) ? undefined : findObjectCall(child)));
  };
  ts.forEachChild(file, function visit(node) {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === "serverOptionsSchema" && node.initializer) {
      const root = findObjectCall(node.initializer);
      if (root) visitObject(root, "");
    }
    ts.forEachChild(node, visit);
  });
  return comments;
}

/** Leaves: the options a user sets (nested objects are headings, not options). */
function leaves(schema: JsonSchema, prefix = ""): Array<[string, JsonSchema]> {
  return Object.entries(schema.properties ?? {}).flatMap(([key, field]) =>
    field.type === "object" && field.properties ? leaves(field, `${prefix}${key}.`) : [[`${prefix}${key}`, field] as [string, JsonSchema]],
  );
}

function describeType(field: JsonSchema): string {
  if (field.enum) return field.enum.map((value) => `\`${String(value)}\``).join(" | ");
  if (field.anyOf) return field.anyOf.map(describeType).join(" | ");
  if (field.type === "array") return `list of ${field.items ? describeType(field.items) : "values"}`;
  const base = field.type === "integer" ? "whole number" : String(field.type ?? "any");
  const bounds: string[] = [];
  if (field.exclusiveMinimum !== undefined) bounds.push(`> ${field.exclusiveMinimum}`);
  if (field.minimum !== undefined && field.minimum > Number.MIN_SAFE_INTEGER) bounds.push(`≥ ${field.minimum}`);
  if (field.maximum !== undefined && field.maximum < Number.MAX_SAFE_INTEGER) bounds.push(`≤ ${field.maximum}`);
  if (field.format === "uri") bounds.push("a URL");
  return bounds.length > 0 ? `${base} (${bounds.join(", ")})` : base;
}

function describeDefault(field: JsonSchema): string {
  return field.default === undefined ? "—" : `\`${JSON.stringify(field.default)}\``;
}

/** The comment without its "Env `X`." part, for an option whose variable has its own column. */
function withoutEnv(text: string): string {
  return text
    .replace(/\s*Env `[^`]+`(?: \([^)]*\))?(?:;[^.]*)?\.?/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** An option's description: its own comment, or its parent's (`files.s3` for `files.s3.bucket`). */
function describe(path: string, comments: Map<string, string>, hasEnv: boolean): string {
  const own = comments.get(path) ?? "";
  const text = hasEnv ? withoutEnv(own) : own;
  return text || comments.get(path.split(".").slice(0, -1).join(".")) || "";
}

const cell = (text: string) => text.replaceAll("|", "\\|");

export function renderConfigurationPage(): string {
  const schema = z.toJSONSchema(serverOptionsSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const comments = fieldComments();
  const envFor = new Map(environmentVariables.map(([name, path]) => [path, name]));
  const rows = leaves(schema).map(([path, field]) => {
    const env = envFor.get(path);
    return `| \`${path}\` | ${env ? `\`${env}\`` : "—"} | ${cell(describeType(field))} | ${cell(describeDefault(field))} | ${cell(describe(path, comments, env !== undefined))} |`;
  });
  const unknownEnv = environmentVariables.filter(([, path]) => !leaves(schema).some(([leaf]) => leaf === path));
  if (unknownEnv.length > 0)
    throw new Error(`env-options.ts names options the schema lacks: ${unknownEnv.map(([name, path]) => `${name} → ${path}`).join(", ")}`);
  return `<!-- Generated by scripts/config-reference.ts from packages/server/src/config/server-options.ts and env-options.ts. Do not edit: run \`npm run docs:config\`. -->

# Configuration reference

Every server setting, its environment variable, type and default. An app sets them in
\`defineApp({ server: { … } })\`; an environment variable overrides the app's value (an empty
variable counts as unset). Everything is validated once at start-up: a bad value stops the
server with one line naming the variable or option to change. Durations are in seconds, sizes
in bytes. \`parlor doctor\` checks a deployment's settings (see the CLI's README).

OAuth providers are configured per provider with \`PARLOR_OAUTH_<ID>_{CLIENT_ID,CLIENT_SECRET,ISSUER,TENANT,SCOPES,NAME,TYPE}\`
(\`<ID>\` lower-cased, \`_\` read as \`-\`), or in \`defineApp({ auth: { oauth: { providers } } })\`;
see the server's README, "OAuth and OpenID Connect".

| option | environment variable | type | default | what it does |
| --- | --- | --- | --- | --- |
${rows.join("\n")}
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const page = renderConfigurationPage();
  if (process.argv.includes("--check")) {
    const current = (() => {
      try {
        return readFileSync(PAGE, "utf8");
      } catch {
        return "";
      }
    })();
    if (current !== page) {
      console.error("docs/configuration.md is out of date with the option schema: run `npm run docs:config` and commit it.");
      process.exit(1);
    }
  } else {
    writeFileSync(PAGE, page);
    console.log(`wrote ${PAGE}`);
  }
}
