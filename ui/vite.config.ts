import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * Builds the web UI into ui/dist, which the server serves at `/`. `npm run dev:ui` serves it with hot
 * reload on :5173 and sends /api to a server on :4200 (`npm start`).
 */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    // For the browser tests' coverage, mapped back to ui/src; "hidden": no page asks for it, and the
    // package leaves it out (package.json `files`).
    sourcemap: "hidden",
  },
  server: {
    proxy: { "/api": { target: "http://127.0.0.1:4200", changeOrigin: false } },
  },
});
