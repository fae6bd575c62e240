import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { Elysia } from "elysia";
import { errorResponse } from "../errors.ts";

const DASHBOARD_DIR = join(import.meta.dir, "..", "dashboard");
// Swagger UI and Lightweight Charts are served from their installed packages, so /docs and the
// dashboard work without internet access and without a build step.
const SWAGGER_DIR = dirname(Bun.resolveSync("swagger-ui-dist/package.json", import.meta.dir));
const CHARTS_DIR = join(dirname(Bun.resolveSync("lightweight-charts/package.json", import.meta.dir)), "dist");

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

/** The dashboard (static HTML + ES modules, no build step) and the local Swagger UI assets. */
export function staticRoutes() {
  const hide = { detail: { hide: true } };
  // The files that exist at start, by name: no path from the request ever reaches the file system.
  const assets = new Map(
    readdirSync(DASHBOARD_DIR)
      .filter((f) => /^[a-z-]+\.(js|css)$/.test(f))
      .map((f) => [f, file(DASHBOARD_DIR, f)]),
  );
  return new Elysia()
    .get("/", file(DASHBOARD_DIR, "index.html"), hide)
    .get(
      "/dashboard/vendor/lightweight-charts.js",
      file(CHARTS_DIR, "lightweight-charts.standalone.production.js"),
      hide,
    )
    .get(
      "/dashboard/:name",
      ({ params }) =>
        assets.get(params.name)?.() ?? errorResponse(404, "not_found", "no such dashboard file"),
      hide,
    )
    .get("/docs/assets/swagger-ui-bundle.js", file(SWAGGER_DIR, "swagger-ui-bundle.js"), hide)
    .get("/docs/assets/swagger-ui.css", file(SWAGGER_DIR, "swagger-ui.css"), hide);
}
