import { type Treaty, treaty } from "@elysiajs/eden";
import type { GatewayApp } from "@tickerplant/gateway/src/app.ts";
import { errorFromResponse, GatewayError, GatewayUnreachableError } from "./errors.ts";

export interface GatewayClientOptions {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Sent as `x-api-key` (write routes). */
  apiKey?: string;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
}

/** Eden Treaty over the gateway app: every route, with its query, body and response types. */
export type GatewayTreaty = Treaty.Create<GatewayApp>;

export interface GatewayClient {
  readonly url: string;
  /** The key sent as `x-api-key`, for the WebSocket stream too. */
  readonly apiKey: string | undefined;
  /** Typed routes: `client.api.api.v1.candles.get({ query })`; pass the promise to `client.call`. */
  readonly api: GatewayTreaty;
  /** Awaits a treaty call: its data on 2xx, otherwise a GatewayError (GatewayUnreachableError when nothing answered). */
  call<T>(pending: Promise<TreatyResult<T>>): Promise<T>;
  /** A plain JSON request with the same error handling, for routes outside the typed app. */
  request<T>(
    method: string,
    path: string,
    init?: { query?: Record<string, string>; body?: unknown },
  ): Promise<T>;
}

interface TreatyResult<T> {
  data: T | null;
  error: { status: unknown; value: unknown } | null;
  status: number;
  response?: Response;
}

function normalizeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new GatewayError(
      "invalid_url",
      `"${url}" is not a URL (expected e.g. http://127.0.0.1:8080)`,
      null,
      false,
      {
        cause,
      },
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new GatewayError("invalid_url", `"${url}" is not an http(s) URL`, null, false);
  return parsed.toString().replace(/\/+$/, "");
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const url = normalizeUrl(options.url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers: Record<string, string> = options.apiKey ? { "x-api-key": options.apiKey } : {};
  const unreachable = (cause: unknown) =>
    isAbort(cause)
      ? new GatewayError(
          "gateway_timeout",
          `gateway at ${url} did not answer within ${timeoutMs} ms`,
          null,
          true,
          {
            cause,
          },
        )
      : new GatewayUnreachableError(url, { cause });

  const api = treaty<GatewayApp>(url, {
    headers,
    fetcher: ((input: string | URL | Request, init?: RequestInit) =>
      fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as typeof fetch,
  });

  return {
    url,
    apiKey: options.apiKey,
    api,
    async call<T>(pending: Promise<TreatyResult<T>>): Promise<T> {
      let result: TreatyResult<T>;
      try {
        result = await pending;
      } catch (cause) {
        throw unreachable(cause);
      }
      if (result.error) {
        // Eden reports a failed fetch as a 503 whose value is the thrown error and with no response.
        if (result.error.value instanceof Error || result.response === undefined)
          throw unreachable(result.error.value);
        throw errorFromResponse(result.status, result.error.value);
      }
      return result.data as T;
    },
    async request<T>(
      method: string,
      path: string,
      init: { query?: Record<string, string>; body?: unknown } = {},
    ): Promise<T> {
      const qs = init.query ? `?${new URLSearchParams(init.query)}` : "";
      let res: Response;
      try {
        res = await fetch(`${url}${path}${qs}`, {
          method,
          headers: { ...headers, ...(init.body !== undefined ? { "content-type": "application/json" } : {}) },
          body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (cause) {
        throw unreachable(cause);
      }
      const text = await res.text().catch(() => "");
      let body: unknown = text;
      try {
        body = text === "" ? null : JSON.parse(text);
      } catch {
        // a non-JSON body stays text
      }
      if (!res.ok) throw errorFromResponse(res.status, body);
      return body as T;
    },
  };
}
