// The CLI's only contact with the process (output, environment, terminal), so `main` runs in tests
// with captured output and never touches process.stdout for nothing.
import { fstatSync, writeSync } from 'node:fs';

/** Everything the CLI touches of the process, so tests can run `main` in-process. */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  /**
   * The terminal's width in columns, read when stdout is a terminal (text views wrap to it; with
   * no terminal nothing wraps). Undefined: 80 columns on a terminal.
   */
  stdoutColumns?: number;
  /** Progress lines go to stderr only when it is a terminal. */
  stderrIsTTY?: boolean;
  stdinIsTTY: boolean;
  /** Ask for a secret on the terminal without echo; undefined when there is no terminal. */
  promptSecret?: (question: string) => Promise<string>;
  /** Called on SIGINT-style cancellation; tests leave it out. */
  signal?: AbortSignal;
  /**
   * Ctrl-C for a command that can stop early (a sweep): until the returned function is called,
   * the first SIGINT calls `stop` instead of ending the process, and any later one calls `abandon`
   * and ends the process at once with status 130. Absent in-process (tests, embedding callers).
   */
  onInterrupt?: (stop: () => void, abandon: () => void) => () => void;
}

/** The real process: stdout, stderr, the environment and the terminal. */
export function nodeIo(): CliIo {
  return {
    stdout: directWriter(1, () => process.stdout),
    stderr: directWriter(2, () => process.stderr),
    env: process.env,
    // Asked when needed: most runs never ask about stdin, and /dev/null (a usual stdin) would need node:tty.
    get stdoutIsTTY() { return isTerminal(1); },
    get stdoutColumns() { return terminalColumns(); },
    get stderrIsTTY() { return isTerminal(2); },
    get stdinIsTTY() { return isTerminal(0); },
    // Used only when stdinIsTTY (common.ts passwordProvider).
    promptSecret,
    onInterrupt,
  };
}

function onInterrupt(stop: () => void, abandon: () => void): () => void {
  let stopping = false;
  const handler = () => {
    // A second Ctrl-C means now: whatever the first one is still finishing is given up.
    if (stopping) { abandon(); process.exit(130); }
    stopping = true;
    stop();
  };
  process.on('SIGINT', handler);
  // Once stopped, the handler stays: a second Ctrl-C that arrives after the results are out
  // still ends the process with 130, not by the signal.
  return () => { if (!stopping) process.off('SIGINT', handler); };
}

/**
 * Creating process.stdout / process.stderr for a pipe or a terminal loads node:net and sets up a
 * socket, about 3 ms of a cold run (bench rows 1-2), and on Linux their writes to pipes, files and
 * terminals are synchronous anyway. So output goes straight to the descriptor; if it would block
 * (EAGAIN: a non-blocking descriptor inherited from the parent), that write and every later one
 * go through the stream as before.
 */
function directWriter(fd: 1 | 2, stream: () => NodeJS.WriteStream): (s: string) => void {
  let viaStream: NodeJS.WriteStream | undefined;
  const toStream = (data: string | Uint8Array) => {
    if (!viaStream) {
      viaStream = stream();
      // `certcheck … | head` closes the pipe early: that is the reader's choice, not an error to report.
      viaStream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw e;
      });
    }
    viaStream.write(data);
  };
  return (s) => {
    if (viaStream) return toStream(s);
    const bytes = Buffer.from(s, 'utf8');
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(fd, bytes, done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      if (code !== 'EAGAIN') throw e;
      toStream(bytes.subarray(done));
    }
  };
}

/** The terminal's width; asked only of a terminal, since process.stdout costs a cold run its stream (see directWriter). */
function terminalColumns(): number | undefined {
  return isTerminal(1) ? process.stdout.columns || undefined : undefined;
}

/** isatty without node:tty (which loads node:net) unless the descriptor is a character device, as a terminal is. */
function isTerminal(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice() && process.getBuiltinModule('node:tty').isatty(fd);
  } catch {
    return false;
  }
}

async function promptSecret(question: string): Promise<string> {
  const { stdin, stderr } = process;
  stderr.write(question);
  return new Promise((resolve, reject) => {
    let buf = '';
    stdin.setRawMode?.(true);
    stdin.resume();
    const done = (err?: Error) => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (err) reject(err); else resolve(buf);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f') buf = buf.slice(0, -1); else buf += ch;
      }
    };
    stdin.on('data', onData);
  });
}
