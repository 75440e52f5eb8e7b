/**
 * The strict HTTP/1.1 response parser behind the probe's GET (src/capture/http1.ts), fed directly:
 * framing, strictness and byte-at-a-time input. The socket side is covered by net-http.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { HttpParseError, ResponseParser, type ResponseHead } from '../../src/capture/http1.js';

interface Parsed {
  head?: ResponseHead;
  body: string;
  complete: boolean;
  error?: HttpParseError;
  /** What end() returned after the input. */
  endedByClose?: boolean;
}

function parse(input: string | string[], opts: { maxHeader?: number; close?: boolean } = {}): Parsed {
  const out: Parsed = { body: '', complete: false };
  const p = new ResponseParser(opts.maxHeader ?? 16 * 1024, {
    onHead: (h) => { out.head = h; },
    onBody: (c) => { out.body += c.toString('latin1'); },
    onComplete: () => { out.complete = true; },
  });
  try {
    for (const piece of Array.isArray(input) ? input : [input]) p.feed(Buffer.from(piece, 'latin1'));
    if (opts.close) out.endedByClose = p.end();
  } catch (e) {
    if (!(e instanceof HttpParseError)) throw e;
    out.error = e;
  }
  return out;
}

const bytes = (s: string): string[] => [...s];

describe('ResponseParser', () => {
  it('Content-Length body, fed whole or one byte at a time', () => {
    const resp = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello';
    for (const input of [resp, bytes(resp)]) {
      const r = parse(input);
      expect(r.error).toBeUndefined();
      expect(r.head).toEqual({ version: '1.1', status: 200, statusText: 'OK', headers: [['Content-Type', 'text/plain'], ['Content-Length', '5']] });
      expect(r.body).toBe('hello');
      expect(r.complete).toBe(true);
    }
  });

  it('chunked with extensions and trailers, byte at a time', () => {
    const resp = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n';
    const r = parse(bytes(resp));
    expect(r.error).toBeUndefined();
    expect(r.body).toBe('hello world');
    expect(r.complete).toBe(true);
  });

  it('a body without length is read until the connection closes', () => {
    const r = parse('HTTP/1.0 200 OK\r\n\r\nuntil close', { close: true });
    expect(r.body).toBe('until close');
    expect(r.endedByClose).toBe(true);
    expect(r.complete).toBe(true);
    // A Content-Length body cut by the close is not complete.
    const cut = parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', { close: true });
    expect(cut.endedByClose).toBe(false);
    expect(cut.complete).toBe(false);
  });

  it('101, 204 and 304 have no body; 1xx interim responses are skipped', () => {
    for (const s of ['101 Switching Protocols', '204 No Content', '304 Not Modified']) {
      const r = parse(`HTTP/1.1 ${s}\r\nContent-Type: x\r\n\r\n`);
      expect(r.complete).toBe(true);
      expect(r.body).toBe('');
    }
    const r = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    expect(r.head?.status).toBe(200);
    expect(r.head?.headers).toEqual([['Content-Length', '2']]);
    expect(r.body).toBe('ok');
  });

  it('a status line without a reason phrase is accepted; values are trimmed and kept as latin1', () => {
    const r = parse('HTTP/1.1 302\r\nLocation:  http://x/\x9b  \r\nContent-Length: 0\r\n\r\n');
    expect(r.head).toMatchObject({ status: 302, statusText: '', headers: [['Location', 'http://x/\x9b'], ['Content-Length', '0']] });
  });

  // Each found by the fuzz property that compares this parser with llhttp (test/fuzz/properties.ts).
  it('reads as llhttp does: NBSP is not whitespace, blank lines before a status line, 1xx framing headers, any reason phrase', () => {
    // "\xa0chunked" is not "chunked" (String.trim would say it is): the body runs until close.
    const nbsp = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: \xa0chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', { close: true });
    expect(nbsp).toMatchObject({ complete: true, endedByClose: true, body: '2\r\nok\r\n0\r\n\r\n' });
    const blank = parse('HTTP/1.1 100 Continue\r\n\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    expect(blank).toMatchObject({ complete: true, body: 'ok', head: { status: 200 } });
    expect(parse('HTTP/1.1 100 Continue\r\nContent-Length: x\r\n\r\nHTTP/1.1 200 OK\r\n\r\n').error?.code).toBe('HPE_INVALID_CONTENT_LENGTH');
    expect(parse('HTTP/1.1 200 O\0K\r\nContent-Length: 0\r\n\r\n')).toMatchObject({ complete: true, head: { statusText: 'O\0K' } });
  });

  it.each([
    ['HTTP/0.9 (no status line)', '<html>', 'HPE_INVALID_CONSTANT'],
    ['bare LF', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n', 'HPE_CR_EXPECTED'],
    ['HTTP/2.0 status line', 'HTTP/2.0 200 OK\r\n\r\n', 'HPE_INVALID_VERSION'],
    ['two-digit status', 'HTTP/1.1 20 OK\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['obs-fold', 'HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['space before the colon', 'HTTP/1.1 200 OK\r\nX-A : a\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['NUL in a value', 'HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['duplicate Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['Content-Length with Transfer-Encoding', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['non-numeric Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n', 'HPE_INVALID_CONTENT_LENGTH'],
    ['chunk-size overflow', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['no CRLF after chunk data', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX\r\n', 'HPE_CR_EXPECTED'],
  ])('%s → %s', (_name, resp, code) => {
    expect(parse(resp).error?.code).toBe(code);
    expect(parse(bytes(resp)).error?.code).toBe(code);
  });

  it('the header cap counts every head byte, interim responses included, and stops input early', () => {
    const head = `HTTP/1.1 200 OK\r\nX-A: ${'a'.repeat(100)}\r\n\r\n`;
    expect(parse(head, { maxHeader: head.length }).error).toBeUndefined();
    expect(parse(head, { maxHeader: head.length - 1 }).error?.code).toBe('HPE_HEADER_OVERFLOW');
    // An unfinished line already over the cap fails without waiting for its end.
    expect(parse(`HTTP/1.1 200 OK\r\nX-A: ${'a'.repeat(200)}`, { maxHeader: 100 }).error?.code).toBe('HPE_HEADER_OVERFLOW');
    const interim = 'HTTP/1.1 100 Continue\r\n\r\n';
    const r = parse(`${interim.repeat(4)}HTTP/1.1 200 OK\r\n\r\n`, { maxHeader: interim.length * 4 + 10 });
    expect(r.error?.code).toBe('HPE_HEADER_OVERFLOW');
    expect(r.error?.message).toMatch(/interim/);
  });
});
