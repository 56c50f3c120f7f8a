import type { ActionEvent, ObservationEvent, StoredEvent } from "../events/schema.ts";
import { isAction, isObservation } from "../events/schema.ts";

type Waiter = { resolve: (answer: ObservationEvent) => void; reject: (reason: unknown) => void };

/**
 * The controller's copy of its conversation's events, fed by one subscription (and the stored history at
 * start). It pairs every action with the event that answers it, so that a caller who appended an action can
 * await its answer without a race: the stream delivers the action to this log before `append` resolves, and
 * an answer delivered before the caller asks is kept here.
 */
export class EventLog {
  readonly events: StoredEvent[] = [];
  private latestId = -1;
  private readonly actions = new Map<number, ActionEvent>();
  private readonly answers = new Map<number, ObservationEvent>();
  private readonly waiters = new Map<number, Waiter>();

  /** Adds an event; false when it was already there (history and live delivery may overlap by a few ids). */
  add(event: StoredEvent): boolean {
    if (event.id <= this.latestId) return false;
    this.latestId = event.id;
    this.events.push(event);
    if (isAction(event)) this.actions.set(event.id, event);
    else if (event.cause !== null && event.cause !== undefined) this.recordAnswer(event.cause, event);
    return true;
  }

  actionById(id: number): ActionEvent | undefined {
    return this.actions.get(id);
  }

  answerOf(actionId: number): ObservationEvent | undefined {
    return this.answers.get(actionId);
  }

  /** Resolves with the answer of an action already added to this log; rejects when the signal aborts. */
  waitForAnswer(actionId: number, signal: AbortSignal): Promise<ObservationEvent> {
    const known = this.answers.get(actionId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new DOMException("waiting for an observation was aborted", "AbortError"));
      const onAbort = () => {
        this.waiters.delete(actionId);
        reject(new DOMException("waiting for an observation was aborted", "AbortError"));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.set(actionId, {
        resolve: (answer) => {
          signal.removeEventListener("abort", onAbort);
          resolve(answer);
        },
        reject,
      });
    });
  }

  private recordAnswer(cause: number, event: ObservationEvent): void {
    const action = this.actions.get(cause);
    if (!action || this.answers.has(cause) || !answers(action, event)) return;
    this.answers.set(cause, event);
    const waiter = this.waiters.get(cause);
    if (!waiter) return;
    this.waiters.delete(cause);
    waiter.resolve(event);
  }
}

/**
 * Whether an observation is the answer of an action. A state change caused by an action (the confirmation
 * gate holding it, say) is not its answer, except `finished` for a finish action.
 */
export function answers(action: ActionEvent, event: StoredEvent): event is ObservationEvent {
  if (!isObservation(event) || event.cause !== action.id) return false;
  if (action.action === "finish") return event.observation === "agent_state_changed" && event.extras.agent_state === "finished";
  return event.observation !== "agent_state_changed";
}
