/**
 * CORS for the REST API: `*` allows any origin; otherwise an Origin on the list is echoed back
 * (with `Vary: Origin`) and any other origin gets no CORS headers, so browsers refuse the answer.
 * An empty list turns CORS off (same-origin only).
 */
export class CorsPolicy {
  private readonly any: boolean;
  private readonly allowed: Set<string>;

  constructor(origins: readonly string[]) {
    this.any = origins.includes("*");
    this.allowed = new Set(origins.filter((o) => o !== "*" && o !== "none"));
  }

  get enabled(): boolean {
    return this.any || this.allowed.size > 0;
  }

  /** The CORS headers for this request's Origin. */
  headers(request: Request): Record<string, string> {
    if (this.any) return { "access-control-allow-origin": "*" };
    const origin = request.headers.get("origin");
    if (origin !== null && this.allowed.has(origin))
      return { "access-control-allow-origin": origin, vary: "Origin" };
    return this.allowed.size > 0 ? { vary: "Origin" } : {};
  }

  /** The answer to a preflight (OPTIONS) request. */
  preflight(request: Request): Response {
    const headers = this.headers(request);
    if (headers["access-control-allow-origin"]) {
      headers["access-control-allow-methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
      headers["access-control-allow-headers"] = "content-type, x-api-key";
      headers["access-control-max-age"] = "600";
    }
    return new Response(null, { status: 204, headers });
  }
}
