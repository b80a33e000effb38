// The entry of embed.html: the chat inside the widget's iframe on other sites. Same styles
// first as the web UI (see ../main.tsx), then the embed's own.
import "../styles/base.css";
import { ClientFunctionError, createParlorClient, ParlorApiError, ParlorProvider } from "@parlor/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Splash } from "../components/Splash";
import { localeStore, translator } from "../i18n";
import { setThemePreference } from "../theme/theme-store";
import { embedCookieMode, signInWithPartitionedCookie } from "./cookie-sign-in";
import { EmbedApp } from "./EmbedApp";
import { readEmbedSettings } from "./embed-settings";
import { HostLink, HostLinkError } from "./host-link";
import { HostInbox } from "./host-inbox";

const root = document.getElementById("root");
if (root === null) throw new Error("embed.html has no #root element");

const settings = readEmbedSettings(window.location);
if (settings === null || window.parent === window) {
  // Opened by hand, or by something other than the widget loader: there is nobody to ask
  // for a token. Plain text, no client, no request.
  localeStore.init();
  root.textContent = translator(localeStore.get())("embed.outsideFrame");
} else {
  setThemePreference(settings.theme === "auto" ? "system" : settings.theme, { remember: false });
  // The host page's `lang` picks the labels' language (English when the UI does not speak it);
  // `<html lang>` keeps the tag as given.
  localeStore.init(settings.language);
  if (settings.language !== null) document.documentElement.lang = settings.language;

  // One link and one client per document, outside React (StrictMode runs effects twice).
  const inbox = new HostInbox();
  const link = new HostLink(settings.hostOrigin, inbox);
  // The server marks a partitioned embedding's page (docs/embed.md, section 7): the session is
  // then a Partitioned HttpOnly cookie, and the client runs in its default cookie mode.
  const cookieMode = embedCookieMode(document);
  const reactRoot = createRoot(root);
  link.start();

  /** One client for the document, in the mode the sign-in settled on, and the chat on it. */
  const run = (auth: "cookie" | "bearer", signInError: ParlorApiError | null) => {
    const client = createParlorClient({
      baseUrl: settings.baseUrl,
      // Bearer mode: each exchange asks the host page's getToken() through the loader, at start
      // and before the access token expires. The access token stays in the client's memory.
      auth: auth === "cookie" ? { mode: "cookie" } : { mode: "bearer", getHostToken: () => link.requestToken() },
    });
    // The app's chat.callClient(name, args) runs the host page's registered function.
    client.onClientCall(async (name, args) => {
      try {
        return await link.callFunction(name, args);
      } catch (error) {
        if (error instanceof HostLinkError) throw new ClientFunctionError(asFunctionCode(error.code), error.message);
        throw error;
      }
    });
    reactRoot.render(
      <StrictMode>
        <ParlorProvider client={client}>
          <EmbedApp link={link} inbox={inbox} signInError={signInError} />
        </ParlorProvider>
      </StrictMode>,
    );
  };

  if (cookieMode === "none") {
    run("bearer", null);
  } else {
    // The cookie first; a host token only without a session. The client starts after that,
    // so its first /auth/me already sees the session. A browser that did not keep the cookie
    // (no CHIPS, third-party cookies blocked) gets bearer mode, as without the option.
    reactRoot.render(<Splash />);
    signInWithPartitionedCookie(settings.baseUrl, () => link.requestToken()).then(
      (kept) => run(kept ? "cookie" : "bearer", null),
      (error: unknown) =>
        run("cookie", error instanceof ParlorApiError ? error : new ParlorApiError("internal", "The chat could not sign in", { cause: error })),
    );
  }
}

function asFunctionCode(code: string): ConstructorParameters<typeof ClientFunctionError>[0] {
  switch (code) {
    case "unknown_function":
    case "too_large":
    case "not_json":
    case "timeout":
    case "not_connected":
      return code;
    default:
      return "function_failed";
  }
}
