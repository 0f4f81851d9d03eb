// What the pages' scripts add to the browser's globals, for the type check (tsconfig.json).

declare global {
  interface Window {
    /** Set by embed.js once it has run, so that a second copy of the script does nothing. */
    equitasEmbed?: Readonly<{ version: number }>;
  }
}

export {};
