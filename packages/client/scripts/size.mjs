// Prints the size of @parlor/client, and of @parlor/react with it, as an app would ship them:
// bundled, minified ESM, gzipped, without React and socket.io-client (the app has React
// anyway; socket.io-client is listed separately). Usage: node scripts/size.mjs (any cwd).
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const source = (path) => fileURLToPath(new URL(path, import.meta.url));
const alias = {
  "@parlor/protocol": source("../../protocol/src/index.ts"),
  "@parlor/client": source("../src/index.ts"),
};

async function measure(label, options) {
  const result = await build({
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "warning",
    ...options,
  });
  const code = result.outputFiles[0].contents;
  console.log(`${label}: ${code.length} bytes minified, ${gzipSync(code, { level: 9 }).length} bytes gzipped`);
}

const external = ["react", "react/jsx-runtime", "react-dom", "socket.io-client"];
await measure("@parlor/client (socket.io-client external)", { entryPoints: [alias["@parlor/client"]], external, alias });
await measure("@parlor/react with @parlor/client (react and socket.io-client external)", {
  entryPoints: [source("../../react/src/index.ts")],
  jsx: "automatic",
  external,
  alias,
});
// For reference: socket.io-client itself, which the app also ships.
await measure("socket.io-client (io only)", {
  stdin: { contents: 'export { io } from "socket.io-client";', resolveDir: source("..") },
});
