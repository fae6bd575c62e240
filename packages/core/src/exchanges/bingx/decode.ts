/**
 * BingX sends every server frame gzip-compressed as a binary WebSocket message. Frames also reach
 * the parser already decoded (recordings, tests) or as base64 text of the gzip bytes (the CLI's
 * input convention); all three come out as text here.
 */

const decoder = new TextDecoder();
const GZIP_BASE64_PREFIX = "H4sI"; // base64 of the gzip magic 1f 8b 08

export type Decoded = { ok: true; text: string } | { ok: false; detail: string };

function gunzip(bytes: Uint8Array): Decoded {
  try {
    return { ok: true, text: decoder.decode(Bun.gunzipSync(bytes as Uint8Array<ArrayBuffer>)) };
  } catch (err) {
    return { ok: false, detail: `gunzip failed: ${(err as Error).message} (${bytes.byteLength} bytes)` };
  }
}

export function frameText(frame: string | Uint8Array): Decoded {
  if (typeof frame === "string") {
    if (!frame.startsWith(GZIP_BASE64_PREFIX)) return { ok: true, text: frame };
    return gunzip(Buffer.from(frame, "base64"));
  }
  if (frame.byteLength >= 2 && frame[0] === 0x1f && frame[1] === 0x8b) return gunzip(frame);
  return { ok: true, text: decoder.decode(frame) };
}
