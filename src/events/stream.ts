import type { CommittedEvent, EventStore } from "./store.ts";
import type { NewActionEvent, NewEvent, NewObservationEvent, ObservationEvent, StoredEvent } from "./schema.ts";
import { isAction, isObservation } from "./schema.ts";

export type EventListener = (event: StoredEvent) => void;
/** Sends a frame to every socket subscribed to a topic (Bun's server.publish). */
export type Publisher = (topic: string, frame: string) => void;

export function conversationTopic(conversationId: string): string {
  return `conversation:${conversationId}`;
}

/**
 * One conversation's event stream: append stores (group commit) and only then publishes the frame to the
 * conversation's topic and calls the in-process listeners (the action executor, the agent), in id order.
 */
export class EventStream {
  readonly topic: string;
  private readonly listeners = new Set<EventListener>();
  /** Applied to each event before it is stored (the session rates actions here: `security_risk`). */
  annotate: (event: NewEvent) => NewEvent = (event) => event;
  /**
   * The observation of an action that needs no I/O (think), or undefined. It is stored in the action's own
   * commit: one write instead of two, and both frames leave together (the action executor sets this).
   */
  answerInline: (action: NewActionEvent) => NewObservationEvent | undefined = () => undefined;

  constructor(
    readonly conversationId: string,
    private readonly store: EventStore,
    private readonly publish: Publisher,
  ) {
    this.topic = conversationTopic(conversationId);
  }

  /** Resolves with the stored event (an action answered inline is delivered before its observation). */
  append(event: NewEvent): Promise<StoredEvent> {
    const annotated = this.annotate(event);
    const answer = isAction(annotated) ? this.answerInline(annotated) : undefined;
    return this.store.append(this.conversationId, [annotated], answer).then((committed) => {
      // Indexed, not destructured: array destructuring goes through the iterator protocol on this hot path.
      const first = committed[0] as CommittedEvent;
      const second = committed[1];
      const stored = this.deliver(first.event, first.json);
      if (second) this.deliver(second.event, second.json);
      return stored;
    });
  }

  /** Sends a status frame (never stored) to every client of the conversation: runtime progress, LLM retries. */
  publishStatus(status: { type: "info" | "error"; id: string; message: string }): void {
    this.publish(this.topic, JSON.stringify({ status_update: true, ...status }));
  }

  /** Listeners run synchronously after the event is committed and published; they must not throw. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first future event that matches. */
  waitFor<T extends StoredEvent>(match: (event: StoredEvent) => event is T, signal?: AbortSignal): Promise<T>;
  waitFor(match: (event: StoredEvent) => boolean, signal?: AbortSignal): Promise<StoredEvent>;
  waitFor(match: (event: StoredEvent) => boolean, signal?: AbortSignal): Promise<StoredEvent> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        unsubscribe();
        reject(signal?.reason);
      };
      const unsubscribe = this.subscribe((event) => {
        if (!match(event)) return;
        unsubscribe();
        signal?.removeEventListener("abort", onAbort);
        resolve(event);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** The observation answering an action (its `cause`). Subscribe before appending the action to never miss it. */
  waitForObservation(actionId: number, signal?: AbortSignal): Promise<ObservationEvent> {
    return this.waitFor((e): e is ObservationEvent => isObservation(e) && e.cause === actionId, signal);
  }

  /** Stored events after an id (for rebuilding state after a restart). */
  history(afterId = -1): StoredEvent[] {
    return this.store.read(this.conversationId, { startId: afterId + 1, limit: Number.MAX_SAFE_INTEGER });
  }

  latestId(): number {
    return this.store.latestId(this.conversationId);
  }

  private deliver(event: StoredEvent, json: string): StoredEvent {
    this.publish(this.topic, json);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error(`event listener failed on event ${event.id}:`, error);
      }
    }
    return event;
  }
}
