import { destructiveFactsRules, destructiveRules } from "./destructive.ts";
import { exfiltrationRules } from "./exfiltration.ts";
import { filesystemRules } from "./filesystem.ts";
import { networkRules } from "./network.ts";
import { privilegeRules } from "./privilege.ts";
import { remoteCodeFactsRules, remoteCodeRules } from "./remote-code.ts";
import type { FactsRule, InvocationRule } from "./rule.ts";
import { secretRules } from "./secrets.ts";
import { systemRules } from "./system.ts";

export const INVOCATION_RULES: readonly InvocationRule[] = [
  ...destructiveRules,
  ...privilegeRules,
  ...remoteCodeRules,
  ...secretRules,
  ...exfiltrationRules,
  ...filesystemRules,
  ...networkRules,
  ...systemRules,
];

export const FACTS_RULES: readonly FactsRule[] = [...destructiveFactsRules, ...remoteCodeFactsRules];

export type { FactsRule, InvocationRule, RuleContext } from "./rule.ts";
