/** An error that stops the server's start with one line for the operator (main prints it and exits 1). */
export class StartError extends Error {}

type ListenFailure = { code?: string; message?: string };

/**
 * What Bun.serve's failure to listen means for the operator, naming the setting to change. Bun reports a
 * port in use as EADDRINUSE; a HOST that is no address of this machine as EADDRNOTAVAIL; a port below 1024
 * without the privilege as EACCES.
 */
export function listenError(error: unknown, host: string, port: number): StartError {
  const { code, message } = (error ?? {}) as ListenFailure;
  if (code === "EADDRINUSE") return new StartError(`PORT ${port} on ${host} is in use by another process; stop it, or set PORT to a free port (PORT=0 picks one)`);
  if (code === "EADDRNOTAVAIL") return new StartError(`HOST ${host} is not an address of this machine; set HOST to one of its addresses (127.0.0.1 by default)`);
  if (code === "EACCES") return new StartError(`PORT ${port} on ${host} needs privileges this process lacks (ports below 1024); set PORT to 1024 or above`);
  return new StartError(`cannot listen on ${host}:${port}: ${code ?? ""}${code && message ? " " : ""}${message ?? String(error)}`);
}

/** "permission denied (EACCES)" rather than Node's "EACCES: permission denied, mkdir '/x'". */
export function describeFsError(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const text = (message ?? String(error)).replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
  return code ? `${text} (${code})` : text;
}
