import type { Config } from "../config.ts";

/** A create body may carry a whole exported trajectory. */
export const MAX_CREATE_BYTES = 64 * 1024 * 1024;

/** An upload request may carry this many files' worth of the per-file cap (plus room for the multipart framing). */
export const REQUEST_FILES_FACTOR = 10;
const MULTIPART_OVERHEAD = 64 * 1024;

export const uploadRequestCap = (config: Config) => config.MAX_UPLOAD_BYTES * REQUEST_FILES_FACTOR + MULTIPART_OVERHEAD;

/** Bun's own cap on a request body: above the largest route's cap, so that the route's JSON 413 answers first. */
export const maxRequestBodySize = (config: Config) => Math.max(uploadRequestCap(config), MAX_CREATE_BYTES) + 1024 * 1024;
