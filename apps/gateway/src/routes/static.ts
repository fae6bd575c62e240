import { dirname, join } from "node:path";
import { Elysia } from "elysia";

const DASHBOARD_DIR = join(import.meta.dir, "..", "dashboard");
// Swagger UI is served from the installed package, so /docs works without internet access.
const SWAGGER_DIR = dirname(Bun.resolveSync("swagger-ui-dist/package.json", import.meta.dir));

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

function file(dir: string, name: string): () => Response {
  const path = join(dir, name);
  const type = TYPES[name.split(".").pop() ?? ""] ?? "application/octet-stream";
  return () =>
    new Response(Bun.file(path), { headers: { "content-type": type, "cache-control": "no-cache" } });
}

/** The dashboard (static HTML + JS, no build step) and the local Swagger UI assets. */
export function staticRoutes() {
  const hide = { detail: { hide: true } };
  return new Elysia()
    .get("/", file(DASHBOARD_DIR, "index.html"), hide)
    .get("/dashboard/app.js", file(DASHBOARD_DIR, "app.js"), hide)
    .get("/dashboard/style.css", file(DASHBOARD_DIR, "style.css"), hide)
    .get("/docs/assets/swagger-ui-bundle.js", file(SWAGGER_DIR, "swagger-ui-bundle.js"), hide)
    .get("/docs/assets/swagger-ui.css", file(SWAGGER_DIR, "swagger-ui.css"), hide);
}
