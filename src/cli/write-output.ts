/**
 * The one way the CLI writes an `--output` file (reports, sweeps, bundles, exported roots): into a
 * temporary file beside the target, renamed over it when complete. A reader never sees half a
 * file, a failed or cancelled run leaves the old file as it was, a symbolic link at the path is
 * refused rather than followed, and a file holding a private key is owner-only (0600) whatever
 * the file it replaces allowed.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants as fsConstants, fchmodSync, fsyncSync, lstatSync, openSync, renameSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../model/errors.js';

/** How an output file is written. */
export interface WriteOutputOptions {
  /** The content holds a private key: the file is created 0600 and never ends up more readable. */
  secret?: boolean;
}

/** An output being written piece by piece (a sweep's stream): `commit` puts it in place, `abort` drops it. */
export interface OutputStream {
  write: (data: string | Uint8Array) => void;
  /** Renames the finished temporary file over the target (once; later calls do nothing). */
  commit: () => void;
  /** Removes the temporary file; the target keeps what it had (safe after commit, and twice). */
  abort: () => void;
}

// O_NOFOLLOW: the temporary name is ours and fresh (O_EXCL), so a link there is someone else's race.
const CREATE_FLAGS = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0);

function failure(path: string, e: unknown): InputError {
  if (e instanceof InputError) return e;
  return new InputError(`--output: cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
}

/** What is at the path now, refusing the kinds we never write to; undefined when nothing is there. */
function inspect(path: string, o: WriteOutputOptions): Stats | undefined {
  if (path === '') throw new InputError('--output: empty file name');
  let st: Stats | undefined;
  try { st = lstatSync(path, { throwIfNoEntry: false }); } catch (e) { throw failure(path, e); }
  if (!st) return undefined;
  // Following it would write wherever the link points (another user's file, a key store): refuse and
  // let the user name the real file.
  if (st.isSymbolicLink()) throw new InputError(`--output: ${path} is a symbolic link; refusing to write through it (give the file's own path)`);
  if (st.isDirectory()) throw new InputError(`--output: ${path} is a directory; give a file name`);
  // A key must land in a file whose mode we set, not in a pipe or a device someone else reads.
  if (!st.isFile() && o.secret) throw new InputError(`--output: ${path} is not a regular file; a file holding a private key is written only to a regular file`);
  return st;
}

/**
 * Checks, before any work, that `path` is somewhere an output may be written: not empty, not a
 * symbolic link, not a directory, and a regular file (or nothing yet) for a secret. Throws an
 * InputError otherwise; {@link openOutputFile} checks again when it writes.
 */
export function checkOutputPath(path: string, o: WriteOutputOptions = {}): void {
  inspect(path, o);
}

/**
 * Opens `path` for writing through a temporary file in the same directory (so the rename is
 * atomic), created 0600 for a secret and otherwise with the mode the replaced file had (0666 less
 * the umask when new). An existing FIFO or device (`/dev/null`) is written directly: renaming over
 * it would replace the device node. Throws an InputError naming the path and the reason.
 */
export function openOutputFile(path: string, o: WriteOutputOptions = {}): OutputStream {
  const st = inspect(path, o);
  if (st && !st.isFile()) return directStream(path);
  // Cut so that even 50 four-byte characters plus our suffix stay within NAME_MAX (255 bytes).
  const tmp = join(dirname(path), `.${basename(path).slice(0, 50)}.certcheck-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, CREATE_FLAGS, o.secret ? 0o600 : 0o666);
    // A report replacing a file keeps that file's permissions, as writing into it did; a key never
    // inherits them (an existing 0644 file must not leave the key world-readable).
    if (o.secret) fchmodSync(fd, 0o600);
    else if (st) fchmodSync(fd, st.mode & 0o777);
  } catch (e) {
    if (fd !== undefined) { try { closeSync(fd); } catch { /* reported below */ } try { unlinkSync(tmp); } catch { /* already gone */ } }
    throw failure(path, e);
  }
  let open: number | undefined = fd;
  let done = false;
  const drop = () => {
    if (open !== undefined) { try { closeSync(open); } catch { /* dropping anyway */ } open = undefined; }
    try { unlinkSync(tmp); } catch { /* already gone */ }
  };
  return {
    write: (data) => {
      if (open === undefined) throw new Error(`--output ${path}: written after commit or abort`);
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      try {
        for (let n = 0; n < bytes.length;) n += writeSync(open, bytes, n);
      } catch (e) { drop(); done = true; throw failure(path, e); }
    },
    commit: () => {
      if (done) return;
      done = true;
      try {
        // On disk before the name points at it: after a crash the target is the old file or the new one.
        fsyncSync(open!);
        closeSync(open!);
        open = undefined;
        renameSync(tmp, path);
      } catch (e) { drop(); throw failure(path, e); }
    },
    abort: () => {
      if (done) return;
      done = true;
      drop();
    },
  };
}

/** A FIFO or device named by the user: opened as it is, never followed through a link. */
function directStream(path: string): OutputStream {
  let fd: number | undefined;
  try { fd = openSync(path, fsConstants.O_WRONLY | (fsConstants.O_NOFOLLOW ?? 0)); } catch (e) { throw failure(path, e); }
  const close = () => { if (fd !== undefined) { try { closeSync(fd); } catch { /* nothing left to do */ } fd = undefined; } };
  return {
    write: (data) => {
      if (fd === undefined) throw new Error(`--output ${path}: written after close`);
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      try { for (let n = 0; n < bytes.length;) n += writeSync(fd, bytes, n); } catch (e) { close(); throw failure(path, e); }
    },
    commit: close,
    abort: close,
  };
}

/** Writes a whole output file at once through {@link openOutputFile}. */
export function writeOutputFile(path: string, data: string | Uint8Array, o: WriteOutputOptions = {}): void {
  const out = openOutputFile(path, o);
  try {
    out.write(data);
    out.commit();
  } finally {
    out.abort();
  }
}

/**
 * Removes a streaming output's temporary file if the process is interrupted (Ctrl-C, SIGTERM)
 * before it is committed, then lets the signal end the process as it would have. Returns the
 * function that takes the handlers away again. A caller that handles Ctrl-C itself (a sweep
 * stops and reports) leaves SIGINT out of `signals`.
 */
export function abortOnSignals(out: OutputStream, signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']): () => void {
  const handler = (sig: NodeJS.Signals) => {
    out.abort();
    remove();
    // With our handler gone the default action applies: the exit status says which signal it was.
    process.kill(process.pid, sig);
  };
  const remove = () => { for (const s of signals) process.off(s, handler); };
  for (const s of signals) process.on(s, handler);
  return remove;
}
