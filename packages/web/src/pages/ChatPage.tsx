import { useChat, type SentMessage } from "@parlor/react";
import { ChatView } from "../components/ChatView";
import { SidePanelHost } from "../rich/side-panel";
import { appPathOf } from "../router/base-path";
import { navigate } from "../router/navigate";
import { chatPath } from "../router/routes";

export interface ChatPageProps {
  /** `undefined`: a new chat, started by the first message. */
  threadId: string | undefined;
}

/** The web UI's chat page: one conversation at its own address (`/chat/<id>`). */
export function ChatPage({ threadId }: ChatPageProps) {
  const chat = useChat(threadId);

  function onSent(sent: SentMessage) {
    // A new chat got its thread: give it its address (the same view, no reload).
    if (threadId === undefined && appPathOf(window.location.pathname) === "/") navigate(chatPath(sent.threadId), { replace: true });
  }

  // The side panel opens long code blocks and PDFs next to the conversation.
  return (
    <SidePanelHost>
      <ChatView chat={chat} threadId={threadId} onSent={onSent} onNewChat={() => navigate("/")} />
    </SidePanelHost>
  );
}
