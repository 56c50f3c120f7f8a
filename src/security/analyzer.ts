import { collectFacts } from "./invocations.ts";
import { ratePathAction, rateBrowse } from "./file-actions.ts";
import { workspaceRoots } from "./paths.ts";
import { FACTS_RULES, INVOCATION_RULES, type RuleContext } from "./rules/index.ts";
import { type AnalyzedAction, type AnalyzerContext, type Report, type Risk, riskLevel, type SecurityAssessment } from "./types.ts";

export type { AnalyzedAction, AnalyzerContext, Risk, RiskLevel, SecurityAssessment } from "./types.ts";

/** Beyond this many reasons the list says nothing new. */
const MAX_REASONS = 8;
const QUIET_ACTIONS = new Set(["message", "think", "finish", "change_agent_state"]);

/**
 * Rates every action before it runs. Shell commands are parsed, not grepped: the rules see each
 * program a command line would start (through pipelines, substitutions, `sh -c` strings, sudo and
 * other wrappers), so `echo "rm -rf /"` stays low while `bash -c 'rm -rf /'` is high.
 * Pure and synchronous: no process, file system or network access.
 */
export class SecurityAnalyzer {
  analyze(action: AnalyzedAction, ctx: AnalyzerContext = {}): SecurityAssessment {
    const findings = new Findings();
    const report = findings.report;
    const roots = workspaceRoots(ctx.workspace);
    const args = action.args ?? {};
    const text = (key: string) => (typeof args[key] === "string" ? (args[key] as string) : undefined);
    switch (action.action) {
      case "run": {
        const command = text("command");
        if (command !== undefined) this.analyzeCommand(command, { workspaceRoots: roots }, report);
        break;
      }
      case "read":
      case "write": {
        const path = text("path");
        if (path !== undefined) ratePathAction(path, action.action === "write", roots, report);
        break;
      }
      case "edit": {
        const path = text("path");
        if (path !== undefined) ratePathAction(path, text("command") !== "view", roots, report);
        break;
      }
      case "browse": {
        const url = text("url");
        if (url !== undefined) rateBrowse(url, report);
        break;
      }
      default:
        if (!QUIET_ACTIONS.has(action.action)) report("medium", `unknown action ${JSON.stringify(action.action)}`);
    }
    return findings.result();
  }

  private analyzeCommand(command: string, ctx: RuleContext, report: Report): void {
    const facts = collectFacts(command);
    if (facts.tooDeep) report("high", "the command nests too deeply to be analyzed");
    for (const inv of facts.invocations) {
      for (const rule of INVOCATION_RULES) rule(inv, ctx, report);
    }
    for (const rule of FACTS_RULES) rule(facts, ctx, report);
  }
}

class Findings {
  private readonly reasons = { high: new Set<string>(), medium: new Set<string>() };

  readonly report: Report = (risk, reason) => {
    this.reasons[risk].add(reason);
  };

  result(): SecurityAssessment {
    const risk: Risk = this.reasons.high.size > 0 ? "high" : this.reasons.medium.size > 0 ? "medium" : "low";
    const reasons = [...this.reasons.high, ...this.reasons.medium].slice(0, MAX_REASONS);
    return { risk, level: riskLevel(risk), reasons };
  }
}
