/** Keeps secrets (the LLM key, the session key) out of events and logs. */

export const MASK = "********";
/** Shorter values would mask ordinary text. */
export const MIN_SECRET_LENGTH = 4;

export type SecretMasker = (text: string) => string;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Replaces every occurrence of each secret with `********`: one precompiled RegExp of escaped
 * alternatives, longest first so a secret that contains another is masked whole. A secret is also
 * masked in its JSON-escaped spelling, so the masker works on serialized events too.
 */
export function createSecretMasker(secrets: ReadonlyArray<string | undefined>): SecretMasker {
  const spellings = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    spellings.add(secret);
    spellings.add(JSON.stringify(secret).slice(1, -1));
  }
  if (spellings.size === 0) return (text) => text;
  const pattern = new RegExp([...spellings].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|"), "g");
  return (text) => (text.length < MIN_SECRET_LENGTH ? text : text.replace(pattern, MASK));
}

/** A copy of a JSON-like value with every string in it masked (object keys included). */
export function maskDeep<T>(value: T, mask: SecretMasker): T {
  return maskValue(value, mask) as T;
}

function maskValue(value: unknown, mask: SecretMasker): unknown {
  if (typeof value === "string") return mask(value);
  if (Array.isArray(value)) return value.map((item) => maskValue(item, mask));
  if (value === null || typeof value !== "object") return value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Dates, buffers, class instances: not JSON data
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[mask(key)] = maskValue(item, mask);
  return out;
}
