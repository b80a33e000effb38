import { pendingAsk, useAppInfo, useAuth, type ChatMessageView, type MessageAsk, type SentMessage, type UseChatResult } from "@parlor/react";
import { useEffect, useRef, useState, type DragEvent, type RefObject } from "react";
import { useAppFace, useUploadLimit } from "../app-face";
import { useI18n, type Translate } from "../i18n";
import { describeError } from "../lib/describe-error";
import { useAttachments } from "../lib/use-attachments";
import { Composer, type ComposerHandle } from "./Composer";
import { ChatSettingsControl } from "./ChatSettingsPanel";
import { ChatStart } from "./ChatStart";
import { AlertIcon, PaperclipIcon } from "./icons";
import { messageControls } from "./MessageControls";
import { MessageEditor } from "./MessageEditor";
import { MessageList } from "./MessageList";
import "../styles/chat.css";

export interface ChatViewProps {
  /** The live chat (`useChat(threadId)`), owned by the page: it may send on its own too. */
  chat: UseChatResult;
  /** `undefined`: a new chat, started by the first message. */
  threadId: string | undefined;
  /** A message went out; `sent.threadId` names the thread a new chat got. */
  onSent?(sent: SentMessage): void;
  /** "Start a new chat" on a thread that does not exist. */
  onNewChat(): void;
  /** The composer, for a page that focuses it (the embedded chat, when its panel opens). */
  composerRef?: RefObject<ComposerHandle | null>;
}

/**
 * One conversation: the messages, live, and the composer. Files can be dropped anywhere on
 * it. Used by the web UI's chat page and by the chat embedded in other sites.
 */
export function ChatView({ chat, threadId, onSent, onNewChat, composerRef: outerComposerRef }: ChatViewProps) {
  const { user, config } = useAuth();
  const { t } = useI18n();
  const face = useAppFace();
  const maxUploadBytes = useUploadLimit();
  const attachments = useAttachments(maxUploadBytes);
  const { info } = useAppInfo();
  const [editingId, setEditingId] = useState<string | null>(null);
  const [draft, setDraft] = useState("");
  const [dragging, setDragging] = useState(false);
  /** Replies the user stopped here: marked at once (an older server stores them as complete). */
  const [stopped, setStopped] = useState<ReadonlySet<string>>(new Set());
  const dragDepth = useRef(0);
  const ownComposerRef = useRef<ComposerHandle>(null);
  const composerRef = outerComposerRef ?? ownComposerRef;
  const wasConnected = useRef(false);
  if (chat.connection === "connected") wasConnected.current = true;

  // A different thread: focus the composer, ready to type (not on touch screens, where it
  // would pop the keyboard up over the conversation).
  useEffect(() => {
    if (window.matchMedia("(pointer: fine)").matches) composerRef.current?.focus();
  }, [threadId, composerRef]);

  async function send() {
    const text = draft;
    const { files, restore, release } = attachments.take();
    setDraft("");
    try {
      const sent = await chat.send(
        text,
        files.map((file) => file.id),
      );
      release();
      onSent?.(sent);
    } catch {
      // The error is shown from `chat.error`; give the user their message back.
      setDraft((current) => (current === "" ? text : current));
      restore();
    }
  }

  /**
   * Retry on an interrupted reply: the question goes again as a new message at the end of the
   * thread (the interrupted reply stays as it is). Its attachments are not sent again: the
   * server attaches a file to one message only.
   */
  function retry(question: ChatMessageView) {
    chat.send(question.content).catch(() => {
      // Shown from `chat.error`.
    });
  }

  function runAction(message: ChatMessageView, actionId: string) {
    chat.runAction(message.id, actionId).catch(() => {
      // Shown from `chat.error`.
    });
  }

  // A new chat starts with the app's first profile until the user picks another (as the
  // picker shows it), so `chat.profile` is never null in an app that declares profiles.
  const firstProfile = info?.profiles[0]?.id;
  useEffect(() => {
    if (chat.threadId === null && chat.profile === null && firstProfile !== undefined) chat.setProfile(firstProfile);
  }, [chat, firstProfile]);

  /** A starter prompt: sent as the user's first message, whatever the composer holds. */
  function sendStarter(message: string) {
    chat
      .send(message)
      .then(onSent)
      .catch(() => {
        // Shown from `chat.error`.
      });
  }

  const editor =
    editingId === null
      ? null
      : {
          messageId: editingId,
          editor: (
            <MessageEditor
              initial={chat.messages.find((message) => message.id === editingId)?.content ?? ""}
              onSave={async (content) => {
                await chat.edit(editingId, content);
                setEditingId(null);
              }}
              onCancel={() => setEditingId(null)}
            />
          ),
        };

  function stop() {
    const writing = chat.messages.filter((message) => message.live === true).map((message) => message.id);
    if (writing.length > 0) setStopped((ids) => new Set([...ids, ...writing]));
    chat.stop();
  }

  function isFileDrag(event: DragEvent) {
    return [...event.dataTransfer.types].includes("Files");
  }

  const notFound = threadId !== undefined && chat.error?.code === "not_found" && chat.messages.length === 0;
  const showConnectionBanner = wasConnected.current && chat.connection !== "connected";
  const greeting = user?.displayName || user?.identifier;
  const asking = pendingAsk(chat.messages)?.ask;

  return (
    <main
      className={`chat${dragging ? " chat-dragging" : ""}`}
      aria-label={t("chat.label")}
      onDragEnter={(event) => {
        if (!isFileDrag(event)) return;
        event.preventDefault();
        dragDepth.current++;
        setDragging(true);
      }}
      onDragOver={(event) => {
        if (!isFileDrag(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      }}
      onDragLeave={(event) => {
        if (!isFileDrag(event)) return;
        dragDepth.current = Math.max(0, dragDepth.current - 1);
        if (dragDepth.current === 0) setDragging(false);
      }}
      onDrop={(event) => {
        if (!isFileDrag(event)) return;
        event.preventDefault();
        dragDepth.current = 0;
        setDragging(false);
        const files = [...event.dataTransfer.files];
        if (files.length > 0) attachments.add(files);
        composerRef.current?.focus();
      }}
    >
      {showConnectionBanner ? (
        <div className="connection-banner" role="status">
          <span className="spinner" aria-hidden="true" />
          {chat.connection === "connecting" ? t("chat.reconnecting") : t("chat.connectionLost")}
        </div>
      ) : null}

      {!notFound && info !== null && info.settings.length > 0 ? <ChatSettingsControl settings={info.settings} chat={chat} /> : null}

      {notFound ? (
        <div className="chat-missing">
          <AlertIcon />
          <h2>{t("chat.missingTitle")}</h2>
          <p>{t("chat.missingBody")}</p>
          <button type="button" className="button button-primary" onClick={onNewChat}>
            {t("chat.startNew")}
          </button>
        </div>
      ) : (
        <MessageList
          threadKey={threadId ?? "new"}
          messages={chat.messages}
          status={chat.status}
          stoppedIds={stopped}
          onRetry={retry}
          stepsDisplay={config?.ui.steps ?? "collapsed"}
          onAction={runAction}
          controlsFor={messageControls({ chat, onEdit: setEditingId, t })}
          editing={editor}
          empty={
            chat.isLoading ? (
              <div className="chat-loading" aria-hidden="true">
                <span className="spinner" />
              </div>
            ) : (
              <ChatStart
                info={info}
                fallback={
                  <>
                    <h2>{greeting ? t("chat.greetingNamed", { name: greeting }) : t("chat.greeting")}</h2>
                    <p>{t("chat.welcomeHint")}</p>
                  </>
                }
                profile={chat.profile}
                onProfile={chat.threadId === null ? chat.setProfile : undefined}
                onStarter={sendStarter}
                disabled={chat.status !== "idle"}
              />
            )
          }
          footer={
            chat.error !== null && !notFound ? (
              <div className="notice notice-error chat-error" role="alert">
                <AlertIcon />
                <span>{describeError(chat.error, t)}</span>
              </div>
            ) : null
          }
        />
      )}

      <div className="composer-dock">
        <Composer
          ref={composerRef}
          value={draft}
          onChange={setDraft}
          onSend={() => void send()}
          onStop={stop}
          status={chat.status}
          attachments={attachments.items}
          uploadProgress={attachments.progress}
          isUploading={attachments.isUploading}
          onAddFiles={attachments.add}
          onRemoveAttachment={attachments.remove}
          disabled={notFound || asking?.type === "action"}
          {...(asking ? answerPrompt(asking, t) : {})}
          appName={face.name}
          maxUploadBytes={maxUploadBytes}
        />
      </div>

      {dragging ? (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-overlay-card">
            <PaperclipIcon />
            {t("chat.dropFiles")}
          </div>
        </div>
      ) : null}
    </main>
  );
}

/** How the composer answers the question waiting in the thread. */
function answerPrompt(ask: MessageAsk, t: Translate): { placeholder: string; accept?: string } {
  if (ask.type === "file") return { placeholder: t("composer.answerFile"), ...(ask.accept.length > 0 ? { accept: ask.accept.join(",") } : {}) };
  return { placeholder: ask.type === "text" ? t("composer.answerText") : t("composer.answerAction") };
}
