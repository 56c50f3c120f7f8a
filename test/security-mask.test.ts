import { describe, expect, test } from "bun:test";
import { createSecretMasker, MASK, maskDeep } from "../src/security/mask.ts";

const LLM_KEY: string = "sk-ant-api03-abcdefghijklmnop";
const SESSION_KEY = "s3ss10n-k3y";

describe("createSecretMasker", () => {
  const mask = createSecretMasker([LLM_KEY, SESSION_KEY, undefined, ""]);

  test("replaces every occurrence of every secret", () => {
    const text = `key=${LLM_KEY} again ${LLM_KEY}; session ${SESSION_KEY}${SESSION_KEY}`;
    expect(mask(text)).toBe(`key=${MASK} again ${MASK}; session ${MASK}${MASK}`);
  });

  test("leaves text without secrets untouched", () => {
    expect(mask("nothing to hide here")).toBe("nothing to hide here");
    expect(mask("")).toBe("");
  });

  test("ignores secrets shorter than 4 characters, which would mask ordinary text", () => {
    const short = createSecretMasker(["abc", "a", undefined]);
    expect(short("abc a abcabc")).toBe("abc a abcabc");
  });

  test("with no secrets at all it is the identity", () => {
    const none = createSecretMasker([]);
    expect(none(`text ${LLM_KEY}`)).toBe(`text ${LLM_KEY}`);
  });

  test("regex metacharacters in a secret are matched literally", () => {
    const odd = createSecretMasker(["a.b*c+(d)?[e]{2}|^$\\"]);
    expect(odd("x a.b*c+(d)?[e]{2}|^$\\ y")).toBe(`x ${MASK} y`);
    expect(odd("x aXbbbc+d y")).toBe("x aXbbbc+d y");
  });

  test("a secret that contains another is masked whole, not in pieces", () => {
    const nested = createSecretMasker(["abcd", "xxabcdxx"]);
    expect(nested("xxabcdxx and abcd")).toBe(`${MASK} and ${MASK}`);
  });

  test("masks the JSON-escaped spelling too, so serialized events are covered", () => {
    const quoted = 'pa"ss\\word';
    const jsonMask = createSecretMasker([quoted]);
    const serialized = JSON.stringify({ content: `the key is ${quoted}` });
    expect(serialized).not.toContain(quoted);
    expect(jsonMask(serialized)).toBe(JSON.stringify({ content: `the key is ${MASK}` }));
    expect(jsonMask(`raw ${quoted}`)).toBe(`raw ${MASK}`);
  });

  test("handles large outputs", () => {
    const line = `ordinary output line ${SESSION_KEY} more text\n`;
    const big = line.repeat(20_000);
    const masked = mask(big);
    expect(masked).not.toContain(SESSION_KEY);
    expect(masked.split(MASK)).toHaveLength(20_001);
  });
});

describe("maskDeep", () => {
  const mask = createSecretMasker([LLM_KEY]);

  test("masks every string in a JSON-like value, keys included, without touching the original", () => {
    const event = {
      id: 3,
      observation: "run",
      content: `export LLM_API_KEY=${LLM_KEY}`,
      extras: { command: `echo ${LLM_KEY}`, exit_code: 0, nested: [{ deep: [LLM_KEY, 1, null, true] }], [LLM_KEY]: "as a key" },
      cause: null,
    };
    const copy = structuredClone(event);
    const masked = maskDeep(event, mask);
    expect(masked).toEqual({
      id: 3,
      observation: "run",
      content: `export LLM_API_KEY=${MASK}`,
      extras: { command: `echo ${MASK}`, exit_code: 0, nested: [{ deep: [MASK, 1, null, true] }], [MASK]: "as a key" },
      cause: null,
    });
    expect(event).toEqual(copy);
    expect(JSON.stringify(masked)).not.toContain(LLM_KEY);
  });

  test("passes through primitives and leaves non-JSON objects alone", () => {
    expect(maskDeep(LLM_KEY, mask)).toBe(MASK);
    expect(maskDeep(42, mask)).toBe(42);
    expect(maskDeep(null, mask)).toBeNull();
    expect(maskDeep(undefined, mask)).toBeUndefined();
    const date = new Date(0);
    expect(maskDeep({ when: date }, mask).when).toBe(date);
  });
});
