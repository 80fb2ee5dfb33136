/**
 * tlsscope command line (yargs). Exit status: 0 success, 1 bad or unreadable
 * input, 2 usage error, 3 `diagnose --fail-on` threshold reached.
 * Only the CLI turns problems into exit codes and one-line messages.
 * Command implementations are imported lazily (fast --help/--version).
 */
import yargs from 'yargs';
import { CaptureError } from '../core/types.js';
import { STDIN_TOKEN } from './stdin-token.js';

const VERSION = '0.1.0';

class UsageError extends Error {}

const commands = () => import('./commands.js');
// React and Ink are loaded for the interactive view only, in their production builds (the development
// builds check and time every component: several times slower, and their timing entries pile up in memory)
const tui = () => {
  process.env.NODE_ENV ??= 'production';
  return import('../tui/index.js');
};

export async function main(args: string[]): Promise<void> {
  let code = 0;
  const run = (fn: () => Promise<number>) => async () => {
    code = await fn();
  };
  let pending: (() => Promise<void>) | undefined;
  const capturePos = (y: ReturnType<typeof yargs>) =>
    y.positional('capture', { type: 'string', describe: 'pcap, pcapng or gzip-compressed capture; - for standard input', demandOption: true });
  const keylogOpt = { type: 'string', describe: 'TLS secrets (NSS key log, SSLKEYLOGFILE) to decrypt TLS 1.3 handshakes with' } as const;
  // yargs reads a lone '-' as a flag; carry it through as a token and map it back to standard input
  const parser = yargs(args.map((a) => (a === '-' ? STDIN_TOKEN : a)))
    .scriptName('tlsscope')
    .usage('$0 <command> CAPTURE [options]\n\nPassive TLS handshake analyzer: sessions, fingerprints and diagnoses from a capture.')
    .command('list <capture>', 'one line per TLS session (time, client -> server, SNI, version, cipher, ALPN, status)', (y) =>
      capturePos(y)
        .option('ca', { type: 'string', describe: 'extra trusted CA certificates (PEM bundle or DER)' })
        .option('keylog', keylogOpt)
        .option('header', { type: 'boolean', default: true, describe: 'print a header line (--no-header for pipes)' }),
    (argv) => { pending = run(async () => (await commands()).cmdList(argv as never)); })
    .command('export <capture>', 'export every TLS session as JSON (array) or NDJSON (one per line, streamed)', (y) =>
      capturePos(y)
        .option('format', { choices: ['json', 'ndjson'], default: 'json', describe: 'output format' })
        .option('output', { alias: 'o', type: 'string', describe: 'write to FILE instead of standard output' })
        .option('ca', { type: 'string', describe: 'extra trusted CA certificates (PEM bundle or DER)' })
        .option('keylog', keylogOpt),
    (argv) => { pending = run(async () => (await commands()).cmdExport(argv as never)); })
    .command('flows <capture>', 'one row per TCP/UDP conversation: endpoints, packets, bytes, gaps, anomalies', (y) =>
      capturePos(y).option('format', { choices: ['text', 'json'], default: 'text', describe: 'output format' }),
    (argv) => { pending = run(async () => (await commands()).cmdFlows(argv as never)); })
    .command('diagnose <capture>', 'why handshakes failed, weaknesses, slowest handshakes, expiring certificates', (y) =>
      capturePos(y)
        .option('format', { choices: ['text', 'json'], default: 'text', describe: 'output format' })
        .option('fail-on', { choices: ['info', 'low', 'medium', 'high'], describe: 'exit 3 when a finding of this severity or worse exists' })
        .option('ca', { type: 'string', describe: 'extra trusted CA certificates (PEM bundle or DER)' })
        .option('keylog', keylogOpt),
    (argv) => { pending = run(async () => (await commands()).cmdDiagnose(argv as never)); })
    .command(['tui <capture>', '$0 <capture>'], 'browse the TLS sessions in an interactive terminal view (the default command)', (y) =>
      capturePos(y).option('ca', { type: 'string', describe: 'extra trusted CA certificates (PEM bundle or DER)' }).option('keylog', keylogOpt),
    (argv) => {
      // Without a terminal on both ends (a pipe, a file, a capture on standard input), print what `list` prints.
      const cap = argv.capture as string;
      if (!process.stdout.isTTY || !process.stdin.isTTY || cap === '-' || cap === STDIN_TOKEN) {
        pending = run(async () => (await commands()).cmdList({ ...argv, header: true } as never));
        return;
      }
      // Ink draws only the final frame when a CI variable is set; the interactive view needs a real
      // terminal anyway (checked above), so a CI variable left in a shell must not blank it.
      delete process.env.CI;
      delete process.env.CONTINUOUS_INTEGRATION;
      pending = run(async () => (await tui()).runTui(argv.capture as string, { ca: argv.ca as string | undefined, keylog: argv.keylog as string | undefined, 'pcap-impl': argv['pcap-impl'] as string | undefined }));
    })
    .option('pcap-impl', { choices: ['auto', 'tlsscope', 'pcap-parser'], default: 'auto', describe: 'classic pcap reader implementation', hidden: true })
    .demandCommand(1, 'a command is required: tui, list, export, flows or diagnose')
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .alias('V', 'version')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
  try {
    await parser.parseAsync();
    if (pending) await pending();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tlsscope: ${e.message}\nRun 'tlsscope --help' for usage.\n`);
      process.exitCode = 2;
      return;
    }
    if (e instanceof CaptureError) {
      process.stderr.write(`tlsscope: ${e.oneLine()}\n`);
      process.exitCode = 1;
      return;
    }
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`tlsscope: internal error: ${err?.message ?? String(e)}${process.env.TLSSCOPE_DEBUG ? `\n${err?.stack}` : ''}\n`);
    process.exitCode = 1;
    return;
  }
  process.exitCode = code;
}
