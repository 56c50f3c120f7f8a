import { classifyUrl, describeUrlRisk } from "../url-risk.ts";
import { readHttpRequest } from "./http-clients.ts";
import type { InvocationRule } from "./rule.ts";

/**
 * Where HTTP clients in commands go. Commands run in the sandbox, so a fetch of a loopback or private
 * address is rated medium (it is how an agent tests its own server); the metadata service and local
 * files through file: URLs are high. A plain download of a page is low; a download of a script is
 * medium (it is one step from running it).
 */

const HIGH_SCHEMES = new Set(["file", "gopher", "dict", "ldap", "ldaps"]);
const SCRIPT_FILE = /\.(sh|bash|zsh|ksh|py|pl|rb|ps1|bat|cmd|exe|bin|run|appimage|deb|rpm)$/i;

const fetchDestinations: InvocationRule = (inv, _ctx, report) => {
  const request = readHttpRequest(inv);
  if (!request) return;
  for (const url of request.urls) {
    const assessment = classifyUrl(url);
    const reason = describeUrlRisk(assessment, url);
    if (!reason || assessment.category === "invalid") continue;
    const high = assessment.category === "metadata" || (assessment.category === "non-http" && HIGH_SCHEMES.has(assessment.scheme));
    report(high ? "high" : "medium", `${inv.name} ${reason}`);
  }
  for (const output of request.outputs) {
    if (SCRIPT_FILE.test(output)) report("medium", `downloads the script ${output} (${inv.name})`);
  }
};

export const networkRules: InvocationRule[] = [fetchDestinations];
