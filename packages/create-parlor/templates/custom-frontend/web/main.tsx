import { ParlorProvider } from "@parlor/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import "./style.css";

// No `url`: the API is this page's own origin, where app.ts serves it.
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ParlorProvider>
      <App />
    </ParlorProvider>
  </StrictMode>,
);
