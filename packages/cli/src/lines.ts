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
 * A recorded frame as the socket delivered it: text frames stay text; a base64 line holding gzip
 * data (how binary frames, such as BingX's, are recorded) becomes bytes.
 */
export function frameOf(line: string): string | Uint8Array {
  const first = line.trimStart()[0];
  if (first === "{" || first === "[" || first === '"') return line;
  const compact = line.trim();
  if (compact.length % 4 === 0 && BASE64_RE.test(compact)) {
    // Only a compressed frame (gzip magic 1f 8b) is binary; "Ping"/"Pong" are base64-shaped text.
    const bytes = Buffer.from(compact, "base64");
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) return bytes;
  }
  return line;
}
