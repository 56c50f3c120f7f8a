import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./components/App.tsx";

/**
 * Whether another site's page holds this one in a frame. The UI runs commands, so it is not shown there (a
 * page could overlay it and trick clicks: clickjacking); Bun serves the page without headers of ours, so
 * this is the UI's own frame-ancestors 'self'. Reading a cross-origin parent's location throws.
 */
function framedByAnotherSite(): boolean {
  if (window.top === window.self) return false;
  try {
    return window.top?.location.origin !== window.location.origin;
  } catch {
    return true;
  }
}

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
if (framedByAnotherSite()) {
  root.textContent = "bunhands is not shown inside another site's page. Open it in a tab of its own.";
  root.setAttribute("data-testid", "framed-refusal");
} else {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
