/** The Anthropic SDK, an entrypoint of its own in the executable (see src/entrypoints.ts). */
export * from "@anthropic-ai/sdk";
export { default } from "@anthropic-ai/sdk";
