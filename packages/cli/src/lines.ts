/** Splits a byte stream into text lines (without the newline), skipping empty ones. */
export async function* readLines(input: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of input) {
    buffer += decoder.decode(chunk, { stream: true });
    let i = buffer.indexOf("\n");
    while (i >= 0) {
      const line = buffer.slice(0, i).replace(/\r$/, "");
      buffer = buffer.slice(i + 1);
      if (line.trim() !== "") yield line;
      i = buffer.indexOf("\n");
    }
  }
  buffer += decoder.decode();
  if (buffer.trim() !== "") yield buffer.replace(/\r$/, "");
}

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A recorded frame as the socket delivered it: text frames stay text; a line that is not JSON
 * but is base64 (how binary frames, such as BingX's gzip, are recorded) becomes bytes.
 */
export function frameOf(line: string): string | Uint8Array {
  const first = line.trimStart()[0];
  if (first === "{" || first === "[" || first === '"') return line;
  const compact = line.trim();
  if (compact.length % 4 === 0 && BASE64_RE.test(compact)) return Buffer.from(compact, "base64");
  return line;
}
