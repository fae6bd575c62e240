import { dlopen, FFIType, type Pointer } from "bun:ffi";

/**
 * A ZeroMQ PUB socket on libzmq (Debian: libzmq5) through Bun's FFI. The npm `zeromq` v6 binding
 * does not run on Bun: its native module calls libuv's uv_poll_init_socket, which Bun does not
 * implement (the process aborts: "unsupported uv function", oven-sh/bun#18546). A PUB socket needs
 * no polling — sends are non-blocking and libzmq drops per subscriber past the high-water mark —
 * so the C API's few functions are all it takes.
 */
const ZMQ_PUB = 1;
const ZMQ_SNDMORE = 2;
const ZMQ_DONTWAIT = 1;
const ZMQ_LINGER = 17;
const ZMQ_SNDHWM = 23;
const EAGAIN = 11;

const LIBRARY = process.platform === "darwin" ? "libzmq.5.dylib" : "libzmq.so.5";

type Lib = ReturnType<typeof open>;
function open() {
  return dlopen(LIBRARY, {
    zmq_ctx_new: { args: [], returns: FFIType.ptr },
    zmq_ctx_term: { args: [FFIType.ptr], returns: FFIType.i32 },
    zmq_socket: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.ptr },
    zmq_bind: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    zmq_setsockopt: { args: [FFIType.ptr, FFIType.i32, FFIType.ptr, FFIType.u64], returns: FFIType.i32 },
    zmq_send: { args: [FFIType.ptr, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
    zmq_close: { args: [FFIType.ptr], returns: FFIType.i32 },
    zmq_errno: { args: [], returns: FFIType.i32 },
    zmq_strerror: { args: [FFIType.i32], returns: FFIType.cstring },
  }).symbols;
}

let lib: Lib | undefined;
function zmq(): Lib {
  if (!lib) {
    try {
      lib = open();
    } catch (cause) {
      throw new Error(`ZeroMQ bridge: cannot load ${LIBRARY} (install libzmq5)`, { cause });
    }
  }
  return lib;
}

function fail(what: string): never {
  const z = zmq();
  const errno = z.zmq_errno();
  throw new Error(`${what}: ${z.zmq_strerror(errno)} (errno ${errno})`);
}

const cstr = (s: string) => new TextEncoder().encode(`${s}\0`);
const int32 = (n: number) => new Int32Array([n]);

export class ZmqPublisher {
  private readonly ctx: Pointer;
  private readonly socket: Pointer;
  private closed = false;

  constructor(endpoint: string, options: { sndhwm?: number } = {}) {
    const z = zmq();
    const ctx = z.zmq_ctx_new() as Pointer | null;
    if (!ctx) fail("zmq_ctx_new");
    this.ctx = ctx;
    const socket = z.zmq_socket(ctx, ZMQ_PUB) as Pointer | null;
    if (!socket) fail("zmq_socket");
    this.socket = socket;
    z.zmq_setsockopt(socket, ZMQ_LINGER, int32(0), 4);
    if (options.sndhwm !== undefined) z.zmq_setsockopt(socket, ZMQ_SNDHWM, int32(options.sndhwm), 4);
    if (z.zmq_bind(socket, cstr(endpoint)) !== 0) fail(`zmq_bind ${endpoint}`);
  }

  /**
   * Sends one multipart message (topic frame, then payload frame). Returns false when libzmq
   * would block (no room): PUB sockets drop rather than wait.
   */
  send(topic: Uint8Array, payload: Uint8Array): boolean {
    if (this.closed) return false;
    const z = zmq();
    if (z.zmq_send(this.socket, topic, topic.byteLength, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
      if (z.zmq_errno() === EAGAIN) return false;
      fail("zmq_send");
    }
    // The first frame went: the second cannot be refused for lack of room.
    if (z.zmq_send(this.socket, payload, payload.byteLength, 0) < 0) fail("zmq_send");
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const z = zmq();
    z.zmq_close(this.socket);
    z.zmq_ctx_term(this.ctx);
  }
}
