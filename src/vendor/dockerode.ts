/** Docker's client, an entrypoint of its own in the executable (see src/entrypoints.ts). */
export { default } from "dockerode";
