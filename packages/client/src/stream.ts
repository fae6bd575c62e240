/** One data frame of the gateway WebSocket (`/ws`). */
export interface ChannelMessage<T = unknown> {
  channel: string;
  seq: number | null;
  data: T;
  snapshot?: boolean;
}

export interface StreamError {
  code: string;
  message: string;
  id?: number | string;
}

export interface GatewayStreamOptions {
  /** Gateway base URL (http(s)://…); the socket is `<url>/ws`. */
  url: string;
  channels: string[];
  onMessage: (message: ChannelMessage) => void;
  /** Protocol errors the gateway sent (e.g. invalid_channel); the connection stays open. */
  onError?: (error: StreamError) => void;
  /** Connection state changes: "open" after (re)subscribing, "closed" with the reason. */
  onState?: (state: "open" | "closed", detail?: string) => void;
  /** Sent as the `x-api-key` header of the upgrade (Bun's WebSocket takes headers). */
  apiKey?: string;
  /** Reconnect with back-off after a drop; default true. */
  reconnect?: boolean;
}

export interface GatewayStream {
  subscribe(channels: string[]): void;
  unsubscribe(channels: string[]): void;
  /** Resolves once the first subscription was acknowledged; rejects if the socket closes first. */
  readonly ready: Promise<void>;
  close(): void;
}

/** Subscribes to gateway channels and keeps them subscribed across reconnects. */
export function openGatewayStream(options: GatewayStreamOptions): GatewayStream {
  const wsUrl = `${options.url.replace(/^http/, "ws").replace(/\/+$/, "")}/ws`;
  const channels = new Set(options.channels);
  let ws: WebSocket | null = null;
  let closed = false;
  let backoffMs = 500;
  let nextId = 1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let settle: { resolve: () => void; reject: (e: Error) => void } | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  ready.catch(() => {}); // callers that never await it must not see an unhandled rejection

  const send = (msg: unknown) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  };

  const connect = () => {
    const socket = options.apiKey
      ? new WebSocket(wsUrl, { headers: { "x-api-key": options.apiKey } } as unknown as string[])
      : new WebSocket(wsUrl);
    ws = socket;
    socket.onopen = () => {
      backoffMs = 500;
      if (channels.size > 0) send({ op: "subscribe", channels: [...channels], id: nextId++ });
      else settle?.resolve();
    };
    socket.onmessage = (ev) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (typeof msg.channel === "string") {
        options.onMessage(msg as unknown as ChannelMessage);
      } else if (msg.type === "subscribed") {
        settle?.resolve();
        settle = null;
        options.onState?.("open");
      } else if (msg.type === "error") {
        options.onError?.(msg as unknown as StreamError);
      }
    };
    socket.onclose = (ev) => {
      const reason = ev.reason || `code ${ev.code}`;
      options.onState?.("closed", reason);
      if (settle) {
        settle.reject(new Error(`gateway WebSocket ${wsUrl} closed before subscribing (${reason})`));
        settle = null;
      }
      if (closed || options.reconnect === false) return;
      timer = setTimeout(connect, backoffMs);
      backoffMs = Math.min(backoffMs * 2, 10_000);
    };
  };
  connect();

  return {
    ready,
    subscribe(list) {
      for (const c of list) channels.add(c);
      send({ op: "subscribe", channels: list, id: nextId++ });
    },
    unsubscribe(list) {
      for (const c of list) channels.delete(c);
      send({ op: "unsubscribe", channels: list, id: nextId++ });
    },
    close() {
      closed = true;
      clearTimeout(timer);
      ws?.close();
    },
  };
}
