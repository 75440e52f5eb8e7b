/**
 * A strict HTTP/1.1 response parser for the probe's one GET (http.ts drives it over the socket).
 *
 * It replaced node:http's client, whose ClientRequest/IncomingMessage machinery cost about 0.2 ms
 * of CPU a probe, a third of a sweep's budget above the TLS handshake. It is deliberately as strict
 * as llhttp in Node's default (non-lenient) mode and reports the same HPE_* codes for what a probe
 * meets: CRLF line endings only, no obs-fold, token header names, no control characters in values,
 * one numeric Content-Length, no Content-Length next to Transfer-Encoding, bounded chunk sizes, and
 * a header byte cap that counts interim (1xx) responses too. A fuzz property (test/fuzz) holds it
 * to llhttp's verdict; where one malformed line breaks two rules the code may name the other, and
 * it refuses a bare CR that llhttp sometimes lets through.
 *
 * Framing (RFC 9112 §6.3): 1xx other than 101 are skipped; 101, 204 and 304 have no body; then
 * chunked, Content-Length, or read until the connection closes.
 */

/** A malformed response; `code` is the llhttp error name a strict client reports. */
export class HttpParseError extends Error {
  override readonly name = 'HttpParseError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface ResponseHead {
  version: string;
  status: number;
  statusText: string;
  /** Names and values as sent (latin1), in order; values without surrounding whitespace. */
  headers: [string, string][];
}

export interface ResponseHandlers {
  /** The final response head (never a skipped 1xx). */
  onHead(head: ResponseHead): void;
  /** Transfer-decoded body bytes; the view is only valid during the call. */
  onBody(chunk: Buffer): void;
  /** The message ended as its framing says. */
  onComplete(): void;
}

type State =
  | 'status' | 'header' // head lines
  | 'length' // Content-Length body
  | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' // chunked body
  | 'until-close' // body delimited by the end of the connection
  | 'done';

const LF = 0x0a;
const CR = 0x0d;
// The reason phrase is anything up to the line end, as llhttp reads it (node:http accepted a NUL there).
const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: ([^\r\n]*))?$/;
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/s;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const CHUNK_SIZE_LINE = /^([0-9a-fA-F]+)(?:[ \t]*;.*)?$/s;
/** llhttp keeps chunk sizes in a uint64: more than 16 hex digits overflow. */
const MAX_CHUNK_SIZE_DIGITS = 16;
/** A chunk-size line with extensions longer than this is not a probe's business. */
const MAX_CHUNK_SIZE_LINE = 4096;
const HTTP_PREFIX = Buffer.from('HTTP/', 'latin1');

export class ResponseParser {
  private state: State = 'status';
  /** The unfinished line carried over from the previous chunk. */
  private partial: Buffer | null = null;
  /** Head bytes of the current message, and of the 1xx responses before it. */
  private headBytes = 0;
  private interimBytes = 0;
  private head: ResponseHead | undefined;
  /** Body (or current chunk) bytes still to come. */
  private remaining = 0;
  private stopped = false;

  constructor(private readonly maxHeaderBytes: number, private readonly on: ResponseHandlers) {}

  /** True until the final response head has been parsed. */
  get inHead(): boolean {
    return this.state === 'status' || this.state === 'header';
  }

  /** Whether any byte of a response arrived. */
  get started(): boolean {
    return this.headBytes > 0 || this.interimBytes > 0 || this.partial !== null || this.head !== undefined;
  }

  /** No further input is looked at (the caller has what it needs). */
  stop(): void {
    this.stopped = true;
  }

  /** Parse a chunk. Throws HttpParseError for a malformed response. */
  feed(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length && !this.stopped) {
      switch (this.state) {
        case 'length':
        case 'chunk-data': {
          const n = Math.min(this.remaining, chunk.length - pos);
          this.remaining -= n;
          const body = chunk.subarray(pos, pos + n);
          pos += n;
          this.on.onBody(body);
          if (this.remaining === 0) {
            if (this.state === 'length') this.complete();
            else this.state = 'chunk-crlf';
          }
          break;
        }
        case 'until-close':
          this.on.onBody(pos === 0 ? chunk : chunk.subarray(pos));
          return;
        case 'done':
          return; // Connection: close; anything after the message is not ours to read
        default:
          pos = this.line(chunk, pos);
      }
    }
  }

  /**
   * The connection ended. Returns true when that completed the message (a body read until close);
   * false when the message is incomplete (or was already complete).
   */
  end(): boolean {
    if (this.state !== 'until-close' || this.stopped) return false;
    this.complete();
    return true;
  }

  /** Consume one line (or the start of one) from `pos`; returns the new position. */
  private line(chunk: Buffer, pos: number): number {
    if (this.state === 'status' && this.partial === null) {
      // Empty lines before a status line are skipped, as llhttp does (RFC 9112 §2.2); they count
      // towards the header cap, so an endless run of them still ends.
      while (pos < chunk.length && (chunk[pos] === CR || chunk[pos] === LF)) {
        pos++;
        if (++this.interimBytes + this.headBytes > this.maxHeaderBytes) throw this.overflow();
      }
      if (pos === chunk.length) return pos;
    }
    if (this.state === 'status') this.checkPrefix(chunk, pos);
    const nl = chunk.indexOf(LF, pos);
    const end = nl === -1 ? chunk.length : nl + 1;
    const piece = chunk.subarray(pos, end);
    const line = this.partial === null ? piece : Buffer.concat([this.partial, piece]);
    this.checkLineSize(line.length);
    if (nl === -1) {
      // Copied: the caller's chunk is not ours to keep.
      this.partial = this.partial === null ? Buffer.from(piece) : line;
      return end;
    }
    this.partial = null;
    if (line.length < 2 || line[line.length - 2] !== CR) {
      throw new HttpParseError('HPE_CR_EXPECTED', 'line ends with a bare LF; a strict client expects CRLF');
    }
    const text = line.toString('latin1', 0, line.length - 2);
    if (this.inHead || this.state === 'trailer') this.headBytes += line.length;
    this.onLine(text);
    return end;
  }

  /** Fail fast on HTTP/0.9 or any non-HTTP answer instead of waiting for a line end. */
  private checkPrefix(chunk: Buffer, pos: number): void {
    const have = this.partial?.length ?? 0;
    for (let i = have; i < HTTP_PREFIX.length && pos + i - have < chunk.length; i++) {
      if (chunk[pos + i - have] !== HTTP_PREFIX[i]) {
        throw new HttpParseError('HPE_INVALID_CONSTANT', 'response does not start with an HTTP/1.x status line');
      }
    }
  }

  private checkLineSize(lineBytes: number): void {
    if (this.inHead || this.state === 'trailer') {
      if (this.interimBytes + this.headBytes + lineBytes > this.maxHeaderBytes) throw this.overflow();
    } else if (lineBytes > MAX_CHUNK_SIZE_LINE) {
      throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', `chunk-size line longer than ${MAX_CHUNK_SIZE_LINE} bytes`);
    }
  }

  private overflow(): HttpParseError {
    const what = this.interimBytes > 0 ? 'interim (1xx) responses plus the final response headers' : 'response headers';
    return new HttpParseError('HPE_HEADER_OVERFLOW', `${what} exceed the ${this.maxHeaderBytes}-byte header limit`);
  }

  private onLine(text: string): void {
    switch (this.state) {
      case 'status': {
        const m = STATUS_LINE.exec(text);
        if (m === null) throw new HttpParseError('HPE_INVALID_STATUS', `invalid status line ${JSON.stringify(text.slice(0, 80))}`);
        if (m[1] !== '1' || (m[2] !== '0' && m[2] !== '1')) {
          throw new HttpParseError('HPE_INVALID_VERSION', `unsupported HTTP version ${m[1]}.${m[2]}`);
        }
        this.head = { version: `${m[1]}.${m[2]}`, status: Number(m[3]), statusText: m[4] ?? '', headers: [] };
        this.state = 'header';
        return;
      }
      case 'header': {
        if (text === '') {
          this.endOfHead();
          return;
        }
        const m = HEADER_LINE.exec(text);
        if (m === null || !HEADER_VALUE.test(m[2]!)) {
          throw new HttpParseError('HPE_INVALID_HEADER_TOKEN', `invalid header line ${JSON.stringify(text.slice(0, 80))}`);
        }
        this.head!.headers.push([m[1]!, m[2]!]);
        return;
      }
      case 'chunk-size': {
        const m = CHUNK_SIZE_LINE.exec(text);
        if (m === null || m[1]!.length > MAX_CHUNK_SIZE_DIGITS) {
          throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', `invalid chunk size ${JSON.stringify(text.slice(0, 40))}`);
        }
        // Precision beyond 2^53 does not matter: the body is cut at a small prefix long before.
        this.remaining = parseInt(m[1]!, 16);
        this.state = this.remaining === 0 ? 'trailer' : 'chunk-data';
        return;
      }
      case 'chunk-crlf':
        if (text !== '') throw new HttpParseError('HPE_CR_EXPECTED', 'expected CRLF after chunk data');
        this.state = 'chunk-size';
        return;
      case 'trailer':
        if (text === '') this.complete();
        else if (!HEADER_LINE.test(text)) throw new HttpParseError('HPE_INVALID_HEADER_TOKEN', 'invalid trailer line');
        return;
      default:
        return;
    }
  }

  private endOfHead(): void {
    const head = this.head!;
    // Framing headers are checked on every head, interim ones too, as llhttp does.
    let contentLength: string | undefined;
    let lengthCount = 0;
    let transferEncoding: string | undefined;
    for (const [name, value] of head.headers) {
      const n = name.toLowerCase();
      if (n === 'content-length') {
        lengthCount++;
        contentLength = value;
      } else if (n === 'transfer-encoding') {
        transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
      }
    }
    if (lengthCount > 1) throw new HttpParseError('HPE_UNEXPECTED_CONTENT_LENGTH', 'duplicate Content-Length');
    if (contentLength !== undefined && transferEncoding !== undefined) {
      throw new HttpParseError('HPE_UNEXPECTED_CONTENT_LENGTH', "Content-Length can't be present with Transfer-Encoding");
    }
    if (contentLength !== undefined && !/^\d{1,15}$/.test(contentLength)) {
      throw new HttpParseError('HPE_INVALID_CONTENT_LENGTH', `invalid Content-Length ${JSON.stringify(contentLength.slice(0, 40))}`);
    }
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      // An interim response: the final one follows on the same connection.
      this.interimBytes += this.headBytes;
      this.headBytes = 0;
      this.head = undefined;
      this.state = 'status';
      return;
    }
    this.on.onHead(head);
    if (this.stopped) return;
    if (head.status === 101 || head.status === 204 || head.status === 304) {
      this.complete();
    } else if (transferEncoding !== undefined) {
      const codings = transferEncoding.toLowerCase().split(',');
      // Only SP and HTAB are HTTP whitespace: String.trim would also strip a latin1 NBSP (0xA0),
      // reading "\xa0chunked" as chunked where llhttp (rightly) does not.
      this.state = codings[codings.length - 1]!.replace(/^[ \t]+|[ \t]+$/g, '') === 'chunked' ? 'chunk-size' : 'until-close';
    } else if (contentLength !== undefined) {
      this.remaining = Number(contentLength);
      if (this.remaining === 0) this.complete();
      else this.state = 'length';
    } else {
      this.state = 'until-close';
    }
  }

  private complete(): void {
    this.state = 'done';
    this.on.onComplete();
  }
}
