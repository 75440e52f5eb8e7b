/**
 * `--password-file`: the password is the file's first line, as OpenSSL's `-passin file:` reads it,
 * so a file that ends with a newline, uses CRLF or carries a comment on line 2 still gives the
 * right password. Pipes and FIFOs (`<(pass show x)`, `/dev/stdin`) are read like files, up to a cap.
 */
import { close, open, read, constants as fsConstants } from 'node:fs';
import { InputError } from '../model/errors.js';

/** The most bytes read looking for the end of the first line: a password, not a document. */
export const PASSWORD_FILE_MAX_BYTES = 64 * 1024;

const CHUNK = 4096;

// Callback fs, not node:fs/promises: the reads block in the thread pool (a FIFO waits for its
// writer) without blocking the event loop, and no extra module loads on every command's start.
function openAsync(path: string): Promise<number> {
  return new Promise((res, rej) => open(path, fsConstants.O_RDONLY, (e, fd) => (e ? rej(e) : res(fd))));
}
function readAsync(fd: number, buf: Buffer, off: number, len: number): Promise<number> {
  return new Promise((res, rej) => read(fd, buf, off, len, null, (e, n) => (e ? rej(e) : res(n))));
}

/**
 * The first line of `path` (a regular file, FIFO, pipe or character device such as /dev/stdin;
 * `-` for standard input),
 * with its line ending (`\n` or `\r\n`) removed; an empty file is the empty password. Reading
 * stops at the first newline, so a writer that keeps going is not waited for. Throws an
 * InputError naming `--password-file` (never the content) when the file cannot be read or its
 * first line is longer than {@link PASSWORD_FILE_MAX_BYTES}.
 */
export async function readPasswordFile(path: string): Promise<string> {
  const what = `--password-file ${path}`;
  // "-" is standard input, as for certificate files; it is the caller's, so it stays open.
  // /dev/stdin is read the same way: opening it fails (ENXIO) when stdin is a socket, as it is
  // under Node's child_process and some CI runners.
  const stdin = path === '-' || path === '/dev/stdin';
  let fd: number;
  try { fd = stdin ? 0 : await openAsync(path); } catch (e) { throw readError(what, e); }
  try {
    const buf = Buffer.alloc(PASSWORD_FILE_MAX_BYTES + 1);
    let n = 0;
    let nl = -1;
    while (nl < 0 && n < buf.length) {
      let got: number;
      try { got = await readAsync(fd, buf, n, Math.min(CHUNK, buf.length - n)); } catch (e) {
        // A non-blocking stdin inherited from the parent has nothing yet: wait for the writer.
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') { await new Promise((r) => setTimeout(r, 10)); continue; }
        throw readError(what, e);
      }
      if (got === 0) break;
      nl = buf.subarray(n, n + got).indexOf(0x0a);
      if (nl >= 0) nl += n;
      n += got;
    }
    const end = nl >= 0 ? nl : n;
    if (end > PASSWORD_FILE_MAX_BYTES) throw new InputError(`${what}: the first line is longer than ${PASSWORD_FILE_MAX_BYTES / 1024} KiB; expected a password`);
    const line = buf.subarray(0, nl >= 0 && end > 0 && buf[end - 1] === 0x0d ? end - 1 : end);
    return line.toString('utf8');
  } finally {
    if (!stdin) close(fd, () => undefined);
  }
}

function readError(what: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new InputError(`${what}: no such file`);
  if (code === 'EACCES' || code === 'EPERM') return new InputError(`${what}: permission denied`);
  if (code === 'EISDIR') return new InputError(`${what}: is a directory`);
  return new InputError(`${what}: cannot read (${code ?? 'error'})`);
}
