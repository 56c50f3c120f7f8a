/** The warning for a server anyone on the network can drive. */

export function isLoopbackBind(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare) || /^::ffff:127(\.\d{1,3}){3}$/.test(bare);
}

/** One loud line when HOST is reachable from other machines and no SESSION_API_KEY guards it; null otherwise. */
export function bindWarning(host: string, apiKey?: string): string | null {
  if (isLoopbackBind(host) || (apiKey !== undefined && apiKey !== "")) return null;
  return `WARNING: listening on ${host} without SESSION_API_KEY: anyone who can reach this address can run commands on this machine. Set SESSION_API_KEY, or HOST=127.0.0.1.`;
}
