// @vitest-environment jsdom
import { useAuth } from "@parlor/react";
import { act, cleanup, fireEvent, render, renderHook, screen, waitFor } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { providerWrapper } from "./helpers/provider-wrapper.js";
import { browser } from "./helpers/clients.js";
import { ECHO_PASSWORD, echoApp, startTestServer, type TestServer } from "@parlor/test-support";

let t: TestServer;
afterEach(async () => {
  cleanup();
  vi.restoreAllMocks();
});

const wrapper = providerWrapper;

/** The smallest login screen an app would write. */
function LoginScreen() {
  const { isReady, user, login, logout, error } = useAuth();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  if (!isReady) return <p>Loading…</p>;
  if (user) {
    return (
      <>
        <p>Hello {user.displayName}</p>
        <button onClick={() => void logout()}>Log out</button>
      </>
    );
  }
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        login(username, password).catch(() => undefined);
      }}
    >
      <input aria-label="Username" value={username} onChange={(e) => setUsername(e.target.value)} />
      <input aria-label="Password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} />
      <button type="submit">Log in</button>
      {error ? <p role="alert">{error.code}</p> : null}
    </form>
  );
}

describe("useAuth", () => {
  it("logs in through a form, shows the user, logs out — without touching storage or document.cookie", async () => {
    t = await startTestServer();
    const storage = [
      vi.spyOn(Storage.prototype, "getItem"),
      vi.spyOn(Storage.prototype, "setItem"),
      vi.spyOn(Storage.prototype, "removeItem"),
      vi.spyOn(Document.prototype, "cookie", "get"),
      vi.spyOn(Document.prototype, "cookie", "set"),
    ];
    const { client } = browser(t);
    render(<LoginScreen />, { wrapper: wrapper(client) });

    fireEvent.change(await screen.findByLabelText("Username"), { target: { value: "alice" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: ECHO_PASSWORD } });
    fireEvent.click(screen.getByText("Log in"));
    expect(await screen.findByText("Hello User alice")).toBeTruthy();

    fireEvent.click(screen.getByText("Log out"));
    expect(await screen.findByLabelText("Username")).toBeTruthy();
    expect(t.requests.find((r) => r.path === "/auth/logout")).toMatchObject({ status: 204, csrfHeader: true });
    for (const spy of storage) expect(spy).not.toHaveBeenCalled();
  });

  it("gives the app's face and upload limit before anyone signs in, for a login page to show", async () => {
    t = await startTestServer({
      app: echoApp({ ui: { name: "Acme Assistant", logo: "https://cdn.acme.example/logo.svg", accentColor: "#0F766E" } }),
      env: { PARLOR_FILES_MAX_BYTES: "1048576" },
    });
    const { client } = browser(t);
    const { result } = renderHook(() => useAuth(), { wrapper: wrapper(client) });
    await waitFor(() => expect(result.current.isReady).toBe(true));
    expect(result.current.isAuthenticated).toBe(false);
    expect(result.current.config?.app).toEqual({ name: "Acme Assistant", logo: "https://cdn.acme.example/logo.svg", accentColor: "#0f766e" });
    expect(result.current.config?.maxUploadBytes).toBe(1024 * 1024);
  });

  it("shows invalid_credentials for a wrong password", async () => {
    t = await startTestServer();
    const { client } = browser(t);
    render(<LoginScreen />, { wrapper: wrapper(client) });
    fireEvent.change(await screen.findByLabelText("Username"), { target: { value: "alice" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "nope" } });
    fireEvent.click(screen.getByText("Log in"));
    expect((await screen.findByRole("alert")).textContent).toBe("invalid_credentials");
  });

  it("lists sessions and revokes another device: its socket drops and it becomes logged out", async () => {
    t = await startTestServer();
    const laptop = browser(t).client;
    const phone = browser(t).client;
    const onLaptop = renderHook(() => useAuth(), { wrapper: wrapper(laptop) });
    const onPhone = renderHook(() => useAuth(), { wrapper: wrapper(phone) });
    await waitFor(() => expect(onPhone.result.current.isReady).toBe(true));
    await act(() => onPhone.result.current.login("alice", ECHO_PASSWORD).then(() => undefined));
    await act(() => onLaptop.result.current.login("alice", ECHO_PASSWORD).then(() => undefined));
    await waitFor(() => expect(phone.connection.getSnapshot().state).toBe("connected"));
    const phoneSocket = phone.socket!;

    await act(() => onLaptop.result.current.refreshSessions().then(() => undefined));
    const sessions = onLaptop.result.current.sessions;
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current).map((s) => s.id)).toEqual([onLaptop.result.current.session!.id]);
    const phoneSession = sessions.find((s) => !s.current)!;
    expect(phoneSession.id).toBe(onPhone.result.current.session!.id);

    await act(() => onLaptop.result.current.revokeSession(phoneSession.id));
    expect(onLaptop.result.current.sessions.map((s) => s.id)).toEqual([onLaptop.result.current.session!.id]);

    await waitFor(() => expect(onPhone.result.current.status).toBe("unauthenticated"));
    expect(onPhone.result.current.user).toBeNull();
    expect(phoneSocket.connected).toBe(false);
    expect(phone.socket).toBeNull();
    // The laptop is untouched.
    expect(onLaptop.result.current.isAuthenticated).toBe(true);
    expect(laptop.connection.getSnapshot().state).toBe("connected");
  });

  it("revokes all sessions, this one included", async () => {
    t = await startTestServer();
    const { client } = browser(t);
    const { result } = renderHook(() => useAuth(), { wrapper: wrapper(client) });
    await waitFor(() => expect(result.current.isReady).toBe(true));
    await act(() => result.current.login("alice", ECHO_PASSWORD).then(() => undefined));
    await act(() => result.current.revokeAllSessions());
    expect(result.current).toMatchObject({ status: "unauthenticated", user: null, error: null });
    expect(t.requests.find((r) => r.method === "DELETE" && r.path === "/auth/sessions")).toMatchObject({ status: 204 });
  });
});
