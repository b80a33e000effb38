import { useAuth, useChat } from "@parlor/react";
import { useState, type FormEvent } from "react";

export function App() {
  const { isReady, user, logout } = useAuth();
  if (!isReady) return <p>Loading…</p>;
  if (!user) return <LoginForm />;
  return (
    <main>
      <header>
        <span>{user.displayName ?? user.identifier}</span>
        <button onClick={() => void logout()}>Log out</button>
      </header>
      <Chat />
    </main>
  );
}

function LoginForm() {
  const { login, error } = useAuth();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login(username, password).catch(() => {}); // the failure is shown from `error`
  };
  return (
    <form className="login" onSubmit={submit}>
      <input aria-label="Username" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" />
      <input aria-label="Password" value={password} onChange={(e) => setPassword(e.target.value)} type="password" autoComplete="current-password" />
      <button>Log in</button>
      {error?.code === "invalid_credentials" && <p role="alert">Wrong username or password.</p>}
      {error?.code === "rate_limited" && <p role="alert">Too many attempts. Try again in {error.retryAfter} s.</p>}
    </form>
  );
}

function Chat() {
  const { messages, status, connection, send, stop, error } = useChat();
  const [text, setText] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    send(text).catch(() => {}); // the failure is shown from `error`
    setText("");
  };
  return (
    <section>
      {connection !== "connected" && <p>Reconnecting…</p>}
      {messages.map((m) => (
        <p key={m.id} className={m.role}>
          {m.content}
          {m.live && "▍"}
        </p>
      ))}
      {error && <p role="alert">{error.message}</p>}
      <form onSubmit={submit}>
        <input aria-label="Message" value={text} onChange={(e) => setText(e.target.value)} />
        {status === "streaming" ? (
          <button type="button" onClick={() => void stop()}>
            Stop
          </button>
        ) : (
          <button>Send</button>
        )}
      </form>
    </section>
  );
}
