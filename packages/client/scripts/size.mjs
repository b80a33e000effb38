// Prints the size of @parlor/react as an app would ship it: bundled, minified ESM, gzipped,
// without React and socket.io-client (the app has React anyway; socket.io-client is listed
// separately). Usage: node scripts/size.mjs (from packages/react, or with any cwd).
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));
const protocol = fileURLToPath(new URL("../../protocol/src/index.ts", import.meta.url));

const result = await build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  jsx: "automatic",
  external: ["react", "react/jsx-runtime", "react-dom", "socket.io-client"],
  alias: { "@parlor/protocol": protocol },
  logLevel: "warning",
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).length;
console.log(`@parlor/react: ${code.length} bytes minified, ${gzipped} bytes gzipped (react and socket.io-client external)`);

// For reference: socket.io-client itself, which the app also ships.
const socket = await build({
  stdin: { contents: 'export { io } from "socket.io-client";', resolveDir: fileURLToPath(new URL("..", import.meta.url)) },
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  write: false,
  logLevel: "warning",
});
const socketCode = socket.outputFiles[0].contents;
console.log(`socket.io-client (io only): ${socketCode.length} bytes minified, ${gzipSync(socketCode, { level: 9 }).length} bytes gzipped`);
