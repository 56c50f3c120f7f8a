import { classifyPath, isSecretPath, normalizePath } from "./paths.ts";
import type { Report } from "./types.ts";
import { classifyUrl, describeUrlRisk } from "./url-risk.ts";

/**
 * Rates the file and browse actions. File actions are meant to stay inside the workspace (the runtime
 * refuses anything else), so a path that leaves it is high for a write and medium for a read.
 */

export function ratePathAction(path: string, writes: boolean, workspaceRoots: readonly string[], report: Report): void {
  if (path.includes("\0")) return report("high", "the path contains a NUL byte");
  if (isSecretPath(path)) report("high", `${writes ? "writes" : "reads"} ${path}, which holds keys or credentials`);
  const kind = classifyPath(path, { workspaceRoots });
  if (kind === "inside" || kind === "workspace") return;
  const shown = normalizePath(path);
  if (kind === "variable") return report("medium", `the path ${path} starts with a variable, which file actions do not expand`);
  if (writes) return report("high", `writes outside the workspace (${shown})`);
  const sensitive = kind === "system" || kind === "startup" || kind === "disk" || kind === "root";
  report("medium", `reads outside the workspace (${shown})${sensitive ? ", a system or configuration file" : ""}`);
}

/**
 * `browse` is fetched by the server itself, not inside the sandbox, so every address that is not
 * the public internet (this host, its private network, the metadata service, local files) is high.
 */
export function rateBrowse(url: string, report: Report): void {
  const assessment = classifyUrl(url);
  const reason = describeUrlRisk(assessment, url);
  if (!reason) return;
  report(assessment.category === "invalid" ? "medium" : "high", `browses: ${reason}`);
}
