import type { Chat } from "parlor";

/**
 * The demo's commands for the web UI's rich content: `/code` (a highlighted block with a copy
 * button; a long one opens in the side panel), `/math` (KaTeX) and `/pdf` (a PDF shown inline).
 * Returns `false` for any other message.
 */
export async function richReply(content: string, chat: Chat): Promise<boolean> {
  switch (content.trim()) {
    case "/code":
      await chat.send(
        [
          "A TypeScript function:",
          "",
          "```ts",
          "export function greet(name: string): string {",
          "  return `Hello, ${name}!`;",
          "}",
          "```",
          "",
          "And a longer one, which opens in the side panel:",
          "",
          "```python",
          ...Array.from({ length: 20 }, (_, i) => `print("line ${i + 1}")`),
          "```",
        ].join("\n"),
      );
      return true;
    case "/math":
      await chat.send("Euler's identity, $e^{i\\pi} + 1 = 0$, and a Gaussian integral:\n\n$$\n\\int_{-\\infty}^{\\infty} e^{-x^2}\\,dx = \\sqrt{\\pi}\n$$");
      return true;
    case "/pdf": {
      const reply = chat.reply();
      await reply.update("Here is a one-page PDF:");
      await reply.attach({ name: "hello.pdf", data: onePagePdf("Hello from the Parlor demo") });
      await reply.end();
      return true;
    }
    default:
      return false;
  }
}

/** A valid one-page PDF saying `text` (ASCII, no parentheses): no PDF library needed for a demo. */
function onePagePdf(text: string): Buffer {
  const stream = `BT /F1 24 Tf 40 120 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let body = "%PDF-1.4\n";
  const offsets = objects.map((object, index) => {
    const offset = body.length;
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
    return offset;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`).join("")}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}
