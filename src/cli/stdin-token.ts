/** yargs reads a lone '-' as a flag: main.ts carries it through as this token, the commands map it back to stdin. */
export const STDIN_TOKEN = '\u0001stdin';
