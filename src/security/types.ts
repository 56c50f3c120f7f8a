/** Shared types of the security analyzer. */

export const RISKS = ["low", "medium", "high"] as const;
export type Risk = (typeof RISKS)[number];
/** The index of a risk in RISKS: 0 low, 1 medium, 2 high (the `security_risk` of an action event). */
export type RiskLevel = 0 | 1 | 2;

export interface SecurityAssessment {
  risk: Risk;
  level: RiskLevel;
  /** Short sentences, most severe first; empty when the risk is low. */
  reasons: string[];
}

/** An action as clients and the agent send it. */
export interface AnalyzedAction {
  action: string;
  args: Record<string, unknown>;
}

export interface AnalyzerContext {
  /** The conversation's workspace as the sandbox sees it (its real path for the plain local sandbox). */
  workspace?: string;
}

/** Where rules put what they find. Only medium and high findings carry a reason. */
export type Report = (risk: "medium" | "high", reason: string) => void;

export function riskLevel(risk: Risk): RiskLevel {
  return RISKS.indexOf(risk) as RiskLevel;
}
