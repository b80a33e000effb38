import { createRequire } from "node:module";
import { relative, resolve } from "node:path";
import { ask, DEFAULT_FOLDER, type Answers } from "./ask.js";
import { createProject } from "./create-project.js";
import { parseOptions } from "./parse-options.js";
import { projectName } from "./project-name.js";
import { TEMPLATES } from "./templates.js";
import { findTarballs, useTarballs } from "./use-tarballs.js";
import { UsageError } from "./usage-error.js";

// Parlor's packages are versioned together, and this one with them (scripts/pack.mjs checks
// it), so the project depends on the version of Parlor this create-parlor was released with.
const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const usage = `Usage: npm create parlor@latest [folder] -- [--template <name>] [--yes]
       create-parlor [folder] [--template <name>] [--yes]

Creates a Parlor app in <folder> (which must be new or empty): app.ts, package.json with
dev / start / test scripts, tsconfig.json, .env.example, .gitignore, a README and a test.

Templates:
${TEMPLATES.map(({ name, hint }) => `  ${name.padEnd(16)} ${hint}`).join("\n")}

Options:
  -t, --template <name>   the template (asked for in a terminal; echo with --yes)
  --tarballs <folder>     install parlor and @parlor/* from the tarballs \`npm run pack\` wrote
                          there (file: dependencies and overrides), not from the registry
  -y, --yes               ask nothing: the folder defaults to ${DEFAULT_FOLDER}, the template to echo
  -h, --help              this help
  -v, --version           the version of create-parlor

Without a terminal (stdin is not a TTY), nothing is asked either, as with --yes.
`;

async function main(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (options.help) return print(usage);
  if (options.version) return print(`${version}\n`);
  const tarballs = options.tarballs === undefined ? null : findTarballs(options.tarballs, version);

  const interactive = process.stdin.isTTY === true && !options.yes;
  const answers: Answers | null = interactive
    ? await ask({
        ...(options.folder === undefined ? {} : { folder: options.folder }),
        ...(options.template === undefined ? {} : { template: options.template }),
      })
    : { folder: options.folder ?? DEFAULT_FOLDER, template: options.template ?? "echo" };
  if (answers === null) return 1;

  const target = resolve(answers.folder);
  createProject({ target, template: answers.template, name: projectName(target), parlorVersion: `^${version}` });
  if (tarballs !== null) useTarballs(target, tarballs);
  const cd = relative(process.cwd(), target) || ".";
  process.stdout.write(`Created a Parlor app (template ${answers.template}) in ${target}

Next:
${cd === "." ? "" : `  cd ${cd.includes(" ") ? JSON.stringify(cd) : cd}\n`}  npm install
  npm run dev      # http://localhost:8000, restarts on save
  npm test
`);
  return 0;
}

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`create-parlor: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
