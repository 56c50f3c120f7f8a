import { action } from "../events/factory.ts";
import type { ClientMessage } from "../events/client-message.ts";
import type { StoredEvent } from "../events/schema.ts";
import type { AgentSession } from "./agent-session.ts";

/**
 * The one path for a client's message, whether it came over the WebSocket or HTTP: initialize rebuilds the
 * agent session; start and every action are stored as user actions (and so published and executed).
 * Returns the stored action, if any.
 */
export function dispatchClientMessage(session: AgentSession, message: ClientMessage): Promise<StoredEvent | undefined> {
  // Not an async function: an action (every frame of a busy client) returns the store's own promise instead
  // of one more wrapped around it. A synchronous throw still becomes a rejection, as it would in one.
  try {
    if (message.kind !== "action") return prepare(session, message);
    if (message.action === "message") session.titleFromMessage(String(message.args.content));
    return session.stream.append(action("user", message.action, message.args));
  } catch (error) {
    return Promise.reject(error);
  }
}

async function prepare(session: AgentSession, message: Exclude<ClientMessage, { kind: "action" }>): Promise<StoredEvent | undefined> {
  switch (message.kind) {
    case "initialize":
      await session.initialize(message.args);
      if (message.args.confirmation_mode !== undefined) session.setConfirmationMode(message.args.confirmation_mode);
      return undefined;
    case "start":
      // The bare websocat example sends start first: initialize with defaults then.
      if (!session.initialized) await session.initialize({});
      session.titleFromMessage(message.task);
      return session.stream.append(action("user", "message", { content: message.task }));
  }
}
