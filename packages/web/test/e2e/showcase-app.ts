/**
 * The app of the app-face and rich-content E2E suites: the E2E echo app with a face (name,
 * logo, accent colour) and a few commands whose replies use the web UI's rich content.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { echoApp, registerCleanup, samplePdf } from "@parlor/test-support";
import { rmSync } from "node:fs";
import { DEMO_PASSWORD, makePng } from "./fixture.js";

export const APP_NAME = "Acme Assistant";
export const ACCENT = "#0f766e";
/** The upload limit the suites run with: small, so "too large" needs no big file. */
export const MAX_UPLOAD_BYTES = 64 * 1024;

export const CODE = 'const greeting: string = "hello";\nconsole.log(greeting);';
export const LONG_CODE = Array.from({ length: 30 }, (_, i) => `line_${i + 1} = ${i + 1}`).join("\n");
export const MATH = "Euler: $e^{i\\pi} + 1 = 0$, and\n\n$$\n\\int_0^1 x\\,dx = \\frac{1}{2}\n$$";

/** A valid WAV of a tenth of a second of silence (8 kHz, mono, 16-bit): Chromium plays it. */
export function silentWav(): Buffer {
  const samples = 800;
  const data = Buffer.alloc(samples * 2);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVEfmt ", 8, "ascii");
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24); // sample rate
  header.writeUInt32LE(16000, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write("data", 36, "ascii");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** A logo file for the app, removed when the test file ends. */
function logoFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "parlor-e2e-logo-"));
  registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "logo.png");
  writeFileSync(path, makePng(32, 32));
  return path;
}

/**
 * Replies by command: `code`, `long code`, `math`, `pdf`, `audio`; anything else is echoed
 * ("You said: …") like the E2E app.
 */
export function showcaseApp() {
  const echo = echoApp({ password: DEMO_PASSWORD, displayName: (username) => username, prefix: "You said: ", pieces: "exact" });
  return echoApp({
    name: "Parlor showcase E2E",
    password: DEMO_PASSWORD,
    displayName: (username) => username,
    ui: { name: APP_NAME, logo: logoFile(), accentColor: ACCENT },
    async onMessage(message, chat) {
      switch (message.content) {
        case "code":
          return chat.send(`Here it is:\n\n\`\`\`ts\n${CODE}\n\`\`\``);
        case "long code":
          return chat.send(`\`\`\`python\n${LONG_CODE}\n\`\`\``);
        case "math":
          return chat.send(MATH);
        case "pdf":
        case "audio": {
          const reply = chat.reply();
          await reply.update(`Your ${message.content}:`);
          await reply.attach(
            message.content === "pdf" ? { name: "report.pdf", data: samplePdf("Quarterly report") } : { name: "chime.wav", data: silentWav() },
          );
          return reply.end();
        }
        default:
          return echo.onMessage(message, chat);
      }
    },
  });
}
