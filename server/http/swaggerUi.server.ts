// Swagger UI at /docs from the installed swagger-ui-dist files (nothing from a CDN), reading /api/openapi.json.
import { createRequire } from "node:module";
import path from "node:path";
import express from "express";

const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

// Our own page rather than the package's index.html: a bilingual title, and no inline script (a CSP can forbid those).
const PAGE = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tài liệu API · API documentation · Cảm xúc</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
<style>.camxuc-bar{font-family:system-ui,sans-serif;padding:.75rem 1rem;background:#fff7ed;border-bottom:1px solid #fed7aa}.camxuc-bar a{color:#c2410c}</style>
</head>
<body>
<div class="camxuc-bar"><a href="/">← Cảm xúc</a> · <span>Tài liệu API</span> / <span lang="en">API documentation</span> · <a href="/api/openapi.json">openapi.json</a></div>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/swagger-initializer.js"></script>
</body>
</html>`;

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // The token typed into "Authorize" stays in memory only: not in localStorage, where any script on our origin could read it.
    persistAuthorization: false,
    tryItOutEnabled: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
  });
};
`;

export function swaggerUi(): express.Router {
  const docs = express.Router();
  docs.get("/", (req, res, next) => {
    // "/docs" and "/docs/" both land here; relative asset URLs are avoided, so no redirect is needed.
    if (req.originalUrl.split("?")[0] !== "/docs" && req.originalUrl.split("?")[0] !== "/docs/") return next();
    res.type("html").send(PAGE);
  });
  docs.get(["/index.html", "/swagger-initializer.js"], (req, res) => {
    if (req.path === "/index.html") return res.redirect(301, "/docs");
    res.type("application/javascript").send(INITIALIZER);
  });
  docs.use(express.static(SWAGGER_UI_DIR, { index: false, maxAge: "1d" }));
  return docs;
}
