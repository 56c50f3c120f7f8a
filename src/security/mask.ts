// Provisional (lead): replaced by the security work. Masks secrets in text and JSON-like values.
export function createSecretMasker(secrets: Array<string | undefined>): (text: string) => string {
  const list = secrets.filter((s): s is string => typeof s === "string" && s.length >= 4);
  if (list.length === 0) return (t) => t;
  const pattern = new RegExp(list.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return (text) => text.replace(pattern, "********");
}

export function maskDeep<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === "string") return mask(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, mask)) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, mask)])) as T;
  return value;
}
