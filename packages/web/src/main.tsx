// First: the tokens and shared controls, so that each component's own CSS (imported below
// through App) comes later in the bundle and wins over them.
import "./styles/base.css";
import { ParlorProvider } from "@parlor/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { localeStore } from "./i18n";
import { basePath } from "./router/base-path";

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root element");

// The saved language, else the browser's (navigator.languages), before the first render.
localeStore.init();

createRoot(root).render(
  <StrictMode>
    {/* The API, the socket and file URLs under the same prefix as the page. */}
    <ParlorProvider url={basePath}>
      <App />
    </ParlorProvider>
  </StrictMode>,
);
