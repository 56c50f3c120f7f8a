import { type Risk, RISKS, type RiskLevel, type SecurityAssessment } from "./types.ts";

/** What confirmation mode does with a rated action. */

/** True when confirmation mode is on and the action is high risk: it waits for the user's answer. */
export function needsConfirmation(risk: Risk | RiskLevel, confirmationMode: boolean): boolean {
  if (!confirmationMode) return false;
  return (typeof risk === "number" ? RISKS[risk] : risk) === "high";
}

/** The `reason` of the `awaiting_user_confirmation` state change. */
export function confirmationPrompt(assessment: SecurityAssessment): string {
  const why = assessment.reasons.length > 0 ? assessment.reasons.join("; ") : "it was rated high risk";
  return `This action needs your confirmation: ${why}.`;
}

/** The content of the `user_rejected` observation. */
export function rejectionMessage(assessment: SecurityAssessment): string {
  const why = assessment.reasons.length > 0 ? ` (${assessment.reasons.join("; ")})` : "";
  return `The user rejected this action${why}.`;
}

export type ConfirmationAnswer = "confirmed" | "rejected";

/** The answer a `change_agent_state` carries, or null when it is not an answer to a confirmation. */
export function confirmationAnswer(agentState: unknown): ConfirmationAnswer | null {
  if (agentState === "user_confirmed") return "confirmed";
  if (agentState === "user_rejected") return "rejected";
  return null;
}

/** `initialize.security_analyzer`: off only when a client says so (false, "", "none", "off"). */
export function analyzerEnabled(setting: string | boolean | undefined): boolean {
  if (setting === undefined || setting === true) return true;
  if (setting === false) return false;
  return !["", "none", "off", "false", "0", "disabled"].includes(setting.trim().toLowerCase());
}
