import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { getConversation, probeConversation } from "./api.ts";
import { getApiKey } from "./auth.ts";
import { appendEvents, emptyLog, foldEvents, latestAgentState, reuseUnchanged, touchesWorkspace, type EventLog, type TimelineItem } from "./eventModel.ts";
import { ConversationSocket, type ConnectionStatus } from "./socket.ts";
import { toAgentState, type AgentState, type ClientAction, type Conversation, type StoredEvent } from "./wire.ts";

export type Notice = { id: number; level: "info" | "error"; text: string };

export type ConversationState = {
  conversation: Conversation | null;
  /** Replaces the conversation's record with the server's answer to a change (PATCH). */
  setConversation(conversation: Conversation): void;
  loadError: string | null;
  log: EventLog;
  items: TimelineItem[];
  agentState: AgentState | null;
  connection: ConnectionStatus;
  notices: Notice[];
  /** Bumped whenever an event may have changed the workspace. */
  workspaceVersion: number;
  send(action: ClientAction): void;
  dismissNotice(id: number): void;
};

const FLUSH_MS = 16;
const MAX_NOTICES = 3;
const INFO_NOTICE_MS = 8000;

/** One conversation: its record, its live event log (deduplicated by id) and a way to send actions. */
export function useConversation(conversationId: string): ConversationState {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [log, setLog] = useState<EventLog>(emptyLog);
  const [connection, setConnection] = useState<ConnectionStatus>("connecting");
  const [notices, setNotices] = useState<Notice[]>([]);
  const [workspaceVersion, setWorkspaceVersion] = useState(0);
  const socketRef = useRef<ConversationSocket | null>(null);

  useEffect(() => {
    // The log lives in this closure so that latest_event_id is exact at every reconnect;
    // React gets a copy in batches, since a replay can bring thousands of events at once.
    let current = emptyLog;
    let pending: StoredEvent[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | null = null;
    let noticeId = 0;
    let highestId = -1;
    setLog(emptyLog);
    setConversation(null);
    setLoadError(null);
    setNotices([]);

    const flush = () => {
      flushTimer = null;
      const next = appendEvents(current, pending);
      const touched = pending.some(touchesWorkspace);
      pending = [];
      if (next === current) return;
      current = next;
      setLog(next);
      if (touched) setWorkspaceVersion((v) => v + 1);
    };

    getConversation(conversationId)
      .then(setConversation)
      .catch((e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));

    const socket = new ConversationSocket({
      conversationId,
      latestEventId: () => highestId,
      apiKey: getApiKey,
      probe: () => probeConversation(conversationId),
      handlers: {
        onEvent(event) {
          highestId = Math.max(highestId, event.id);
          pending.push(event);
          flushTimer ??= setTimeout(flush, FLUSH_MS);
        },
        onStatus: setConnection,
        onNotice(notice) {
          const id = ++noticeId;
          setNotices((list) => [...list, { id, level: notice.level, text: notice.text }].slice(-MAX_NOTICES));
          // Progress lines (starting the sandbox…) go away by themselves; errors stay until dismissed.
          if (notice.level === "info") setTimeout(() => setNotices((list) => list.filter((n) => n.id !== id)), INFO_NOTICE_MS);
        },
      },
    });
    socketRef.current = socket;
    socket.start();
    return () => {
      socket.close();
      socketRef.current = null;
      if (flushTimer) clearTimeout(flushTimer);
    };
  }, [conversationId]);

  const lastItems = useRef<TimelineItem[]>([]);
  const items = useMemo(() => (lastItems.current = reuseUnchanged(lastItems.current, foldEvents(log.list))), [log]);
  const agentState = useMemo(() => latestAgentState(log.list, toAgentState(conversation?.agent_state)), [log, conversation]);
  const send = useCallback((action: ClientAction) => socketRef.current?.send(action), []);
  const dismissNotice = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);

  return { conversation, setConversation, loadError, log, items, agentState, connection, notices, workspaceVersion, send, dismissNotice };
}
