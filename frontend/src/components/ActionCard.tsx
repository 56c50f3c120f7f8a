import { actionTitle, type TimelineItem } from "../eventModel.ts";
import { clockTime, lineCount } from "../format.ts";
import type { ObservationEvent } from "../wire.ts";
import { DiffView } from "./DiffView.tsx";
import { MessageText } from "./MessageText.tsx";
import { TerminalBlock, type CommandStatus } from "./TerminalBlock.tsx";

type ActionItem = Extract<TimelineItem, { kind: "action" }>;

const PREVIEW_CHARS = 4000;
/** Actions answered by an observation of their own (think and finish are complete as they are). */
const NEEDS_ANSWER: ReadonlySet<string> = new Set(["read", "write", "edit", "browse"]);

function preview(text: string): string {
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}\n… (${text.length - PREVIEW_CHARS} more characters)` : text;
}

/** What went wrong instead of the expected observation, if anything. */
function Failure({ observation }: { observation: ObservationEvent | null }) {
  if (observation?.observation === "error") return <div className="obs-error" data-testid="action-error">{observation.content || observation.message}</div>;
  if (observation?.observation === "user_rejected") return <div className="obs-rejected">Rejected{observation.content ? `: ${observation.content}` : ""}</div>;
  return null;
}

function answered(observation: ObservationEvent | null, name: string): ObservationEvent | null {
  return observation?.observation === name ? observation : null;
}

function awaitingConfirmation(item: ActionItem): boolean {
  return !item.observation && item.stateChange?.extras.agent_state === "awaiting_user_confirmation";
}

function commandStatus(item: ActionItem): CommandStatus {
  const { observation } = item;
  if (!observation) return awaitingConfirmation(item) ? { kind: "awaiting_confirmation" } : { kind: "pending" };
  if (observation.observation === "user_rejected") return { kind: "rejected" };
  if (observation.observation !== "run") return { kind: "error" };
  if (observation.extras.timed_out === true) return { kind: "timeout" };
  if (observation.extras.running === true) return { kind: "running" };
  return { kind: "exit", code: typeof observation.extras.exit_code === "number" ? observation.extras.exit_code : -1 };
}

function Collapsible({ summary, text }: { summary: string; text: string }) {
  return (
    <details className="collapsible">
      <summary>{summary}</summary>
      <pre className="code-block">{preview(text)}</pre>
    </details>
  );
}

function Body({ item }: { item: ActionItem }) {
  const { action, observation } = item;
  const args = action.args;
  switch (action.action) {
    case "run":
      return <TerminalBlock command={String(args.command ?? "")} output={observation?.content ?? ""} status={commandStatus(item)} by={action.source} />;
    case "edit": {
      const edit = answered(observation, "edit");
      const diff = typeof edit?.extras.diff === "string" ? edit.extras.diff : "";
      if (diff) return <DiffView diff={diff} />;
      return edit?.content ? <Collapsible summary="Editor output" text={edit.content} /> : null;
    }
    case "write": {
      const content = String(args.content ?? "");
      // "written" only once the write observation says so: a refused write (outside the workspace…) was not.
      const outcome = answered(observation, "write") ? "written" : observation ? "not written" : "to write";
      return <Collapsible summary={`${lineCount(content)} ${outcome}`} text={content} />;
    }
    case "read": {
      const read = answered(observation, "read");
      return read ? <Collapsible summary={lineCount(read.content)} text={read.content} /> : null;
    }
    case "browse": {
      const browse = answered(observation, "browse");
      if (!browse) return null;
      const status = typeof browse.extras.status_code === "number" ? browse.extras.status_code : null;
      const url = typeof browse.extras.url === "string" ? browse.extras.url : String(args.url ?? "");
      return (
        <div className="browse" data-testid="browse-result">
          <div className="browse-meta">
            {status !== null && <span className={`http-status ${status < 400 ? "exit-ok" : "exit-bad"}`}>HTTP {status}</span>}
            <span className="browse-url">{url}</span>
          </div>
          <Collapsible summary="Page content" text={browse.content} />
        </div>
      );
    }
    case "think":
      return <div className="thought" data-testid="thought">{String(args.thought ?? "")}</div>;
    case "finish":
      return args.message ? <MessageText text={String(args.message)} /> : null;
    default:
      return null;
  }
}

/** One action of the agent (or of the user) with the observation that answered it. */
export function ActionCard({ item }: { item: ActionItem }) {
  const { action, observation } = item;
  if (action.action === "change_agent_state") {
    const who = action.source === "user" ? "You" : "The agent";
    const title = actionTitle(action);
    return (
      <div className="timeline-note" data-testid="timeline-item" data-event-id={action.id} data-kind="change_agent_state">
        {who} {title.charAt(0).toLowerCase() + title.slice(1)}
        {observation?.observation === "error" && <span className="note-error">: {observation.content || observation.message}</span>}
      </div>
    );
  }
  const showTitle = action.action !== "run";
  return (
    <div className={`action-card action-${action.action}`} data-testid="timeline-item" data-event-id={action.id} data-kind={action.action}>
      {showTitle && (
        <div className="action-head">
          <span className="action-title">{actionTitle(action)}</span>
          {action.source === "user" && <span className="tag">you</span>}
          <span className="time">{clockTime(action.timestamp)}</span>
        </div>
      )}
      <Body item={item} />
      {action.action !== "run" && <Failure observation={observation} />}
      {!observation && NEEDS_ANSWER.has(action.action) && (
        <div className="pending">{awaitingConfirmation(item) ? "Waiting for your confirmation" : <><span className="spinner" /> waiting for the result</>}</div>
      )}
    </div>
  );
}
