// Bun imports these as text (`with { type: "text" }`), which is how migrations get into the binary.
declare module "*.sql" {
  const text: string;
  export default text;
}
