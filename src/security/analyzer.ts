// Provisional (lead): replaced by the security work.
export type Verdict = { risk: "low" | "medium" | "high"; level: 0 | 1 | 2; reasons: string[] };
export function analyzeAction(_action: { action: string; args: Record<string, unknown> }): Verdict {
  return { risk: "low", level: 0, reasons: [] };
}
