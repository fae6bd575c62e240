import type { Socket } from "bun";

/**
 * A bare WebSocket client over TCP that never answers pings (Bun's WebSocket always does), to test
 * the server's pong deadline. It also exposes the HTTP upgrade response headers.
 */
export interface RawSocket {
  status: number;
  headers: Record<string, string>;
  /** Opcodes of frames received (0x1 text, 0x8 close, 0x9 ping). */
  opcodes: number[];
  closed: Promise<void>;
  end(): void;
}

export async function rawConnect(
  host: string,
  port: number,
  path: string,
  timeoutMs = 2000,
): Promise<RawSocket> {
  let buf = Buffer.alloc(0);
  let handshakeDone = false;
  const opcodes: number[] = [];
  let resolveHandshake!: (v: { status: number; headers: Record<string, string> }) => void;
  let resolveClosed!: () => void;
  const handshake = new Promise<{ status: number; headers: Record<string, string> }>((r) => {
    resolveHandshake = r;
  });
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });
  const parseFrames = () => {
    while (buf.length >= 2) {
      const opcode = buf[0]! & 0x0f;
      let len = buf[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf.length < off + len) return;
      opcodes.push(opcode);
      buf = buf.subarray(off + len);
    }
  };
  const socket: Socket = await Bun.connect({
    hostname: host,
    port,
    socket: {
      data(_s, chunk) {
        buf = Buffer.concat([buf, chunk]);
        if (!handshakeDone) {
          const end = buf.indexOf("\r\n\r\n");
          if (end < 0) return;
          const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
          buf = buf.subarray(end + 4);
          handshakeDone = true;
          const status = Number(lines[0]!.split(" ")[1]);
          const headers: Record<string, string> = {};
          for (const l of lines.slice(1)) {
            const i = l.indexOf(":");
            if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
          }
          resolveHandshake({ status, headers });
        }
        parseFrames();
      },
      close() {
        resolveClosed();
      },
      error() {
        resolveClosed();
      },
    },
  });
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const timer = setTimeout(() => socket.end(), timeoutMs);
  const result = await Promise.race([handshake, closed.then(() => null)]);
  clearTimeout(timer);
  if (!result) throw new Error(`no upgrade response from ${host}:${port}${path}`);
  return { status: result.status, headers: result.headers, opcodes, closed, end: () => socket.end() };
}
