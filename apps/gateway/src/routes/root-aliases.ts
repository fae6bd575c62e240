import { Elysia } from "elysia";

/**
 * The services this platform replaces answered `/status`, `/timeframes` and `/config` at the root;
 * their HTTP clients still ask there. Each is a permanent redirect (308, query kept) to the
 * `/api/v1` route, so the API's key checks and rate limits apply unchanged.
 */
const ALIASES = ["/status", "/timeframes", "/config"] as const;

export function rootAliasRoutes() {
  const app = new Elysia();
  for (const path of ALIASES)
    app.get(
      path,
      ({ request }) =>
        new Response(null, {
          status: 308,
          headers: { location: `/api/v1${path}${new URL(request.url).search}` },
        }),
      { detail: { hide: true } },
    );
  return app;
}
