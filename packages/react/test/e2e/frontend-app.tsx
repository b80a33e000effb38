/**
 * A separate frontend as an app author writes it with the built @parlor/react: its own page,
 * its own origin, Parlor elsewhere. The test's page server bundles it and serves it at
 * `/app.js` under a strict CSP; `?server=<Parlor origin>` says where Parlor is and
 * `?mode=bearer` switches to bearer mode, with host tokens from this site's `/parlor-token`.
 * Everything a test reads is in the DOM (ids and data attributes).
 */
import { ParlorProvider, useAuth, useChat, useFileSource, useFileUpload, type FileInfo } from "@parlor/react";
import { useState, type FormEvent } from "react";
import { createRoot } from "react-dom/client";

const params = new URLSearchParams(location.search);
const server = params.get("server") ?? "";
const bearer = params.get("mode") === "bearer";
const getHostToken = () => fetch("/parlor-token").then((response) => response.text());

function App() {
  const { status, user, error } = useAuth();
  return (
    <main>
      <p id="status">{status}</p>
      <p id="user">{user?.identifier ?? ""}</p>
      <p id="error-code">{error?.code ?? ""}</p>
      <p id="error-message">{error?.message ?? ""}</p>
      {status === "unauthenticated" && !bearer ? <LoginForm /> : null}
      {status === "authenticated" ? <Chat /> : null}
    </main>
  );
}

function LoginForm() {
  const { login } = useAuth();
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => {
      const value = form.get(name);
      return typeof value === "string" ? value : "";
    };
    login(field("username"), field("password")).catch(() => undefined); // shown through `error`
  };
  return (
    <form onSubmit={onSubmit}>
      <input id="username" name="username" aria-label="Username" />
      <input id="password" name="password" type="password" aria-label="Password" />
      <button id="login" type="submit">
        Log in
      </button>
    </form>
  );
}

function Chat() {
  const { messages, send, connection } = useChat();
  const { upload, error: uploadError } = useFileUpload();
  const [fileIds, setFileIds] = useState<string[]>([]);
  const [text, setText] = useState("");
  const onFile = (files: FileList | null) => {
    const file = files?.[0];
    if (file)
      upload(file).then(
        (info) => setFileIds((ids) => [...ids, info.id]),
        () => undefined,
      );
  };
  const onSend = (event: FormEvent) => {
    event.preventDefault();
    send(text, fileIds).catch(() => undefined);
    setText("");
    setFileIds([]);
  };
  return (
    <section>
      <p id="connection">{connection}</p>
      <p id="attached">{fileIds.length}</p>
      <p id="upload-error">{uploadError?.code ?? ""}</p>
      <input id="file" type="file" aria-label="Attach" onChange={(event) => onFile(event.target.files)} />
      <form onSubmit={onSend}>
        <input id="message" aria-label="Message" value={text} onChange={(event) => setText(event.target.value)} />
        <button id="send" type="submit">
          Send
        </button>
      </form>
      <ul id="messages">
        {messages.map((message) => (
          <li key={message.id} data-role={message.role} data-status={message.status}>
            <span className="content">{message.content}</span>
            {message.files.map((file) => (
              <Picture key={file.id} file={file} />
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Picture({ file }: { file: FileInfo }) {
  const { src, crossOrigin } = useFileSource(file.id);
  const [loaded, setLoaded] = useState("pending");
  if (src === undefined) return null;
  return (
    <img
      className="picture"
      data-loaded={loaded}
      src={src}
      crossOrigin={crossOrigin}
      alt={file.name}
      onLoad={(event) => setLoaded(event.currentTarget.naturalWidth > 0 ? "yes" : "empty")}
      onError={() => setLoaded("error")}
    />
  );
}

createRoot(document.getElementById("root")!).render(
  <ParlorProvider url={server} auth={bearer ? { mode: "bearer", getHostToken } : { mode: "cookie" }}>
    <App />
  </ParlorProvider>,
);
