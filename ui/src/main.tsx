import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.tsx";
import { pruneDrafts } from "./lib/drafts.ts";
import { applyPreferences, readPreferences } from "./lib/preferences.ts";
import "./styles.css";

// Before the first paint, so that a dark theme never flashes light.
applyPreferences(readPreferences());
pruneDrafts();
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
