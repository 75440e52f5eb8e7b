/**
 * Issue 15 item 8: SECURITY.md exists, covers what the issue asks (trust, what is sent, what is
 * fetched and when, what is written with which modes, secrets, bounds, private reporting), is
 * linked from the README, and every limit it states is the one in the code, so the page cannot
 * drift from the tool without this test saying so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AIA_MAX_FETCHES, AIA_OVERALL_MS, AIA_PER_FETCH_MS } from '../../src/bundle.js';
import { PASSWORD_FILE_MAX_BYTES } from '../../src/cli/password-file.js';
import { DEFAULT_FETCH_MAX_BYTES } from '../../src/capture/fetch.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES, PROBE_USER_AGENT } from '../../src/capture/http.js';
import { DEFAULT_MAX_ADDRESSES } from '../../src/capture/net.js';
import { DEFAULT_REVOCATION_FETCH_MS, DEFAULT_REVOCATION_MAX_BYTES, MAX_URLS_PER_METHOD } from '../../src/revocation/check.js';
import { MAX_INPUT_BYTES } from '../../src/x509/decode.js';
import { DEFAULT_DEADLINE_MS, DEFAULT_MAX_ITERATIONS } from '../../src/x509/der-walk.js';

const ROOT = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'SECURITY.md'), 'utf8');
const flat = doc.replace(/\s+/g, ' ');
const mib = (n: number) => `${n / (1024 * 1024)} MiB`;
const kib = (n: number) => `${n / 1024} KiB`;
const s = (ms: number) => `${ms / 1000} s`;

describe('SECURITY.md', () => {
  it('has a section for each thing the issue asks about, and the README links it', () => {
    for (const h of ['## Reporting a problem', '## What certcheck trusts', '## What it sends', '## What it fetches, and when', '## What it writes, and with which modes', '## Secrets', '## Bounds']) {
      expect(doc, h).toContain(`\n${h}\n`);
    }
    expect(flat).toContain('Security tab → Report a vulnerability');
    expect(flat).toContain('Never `NODE_EXTRA_CA_CERTS`');
    expect(flat).toContain('--allow-internal-fetch');
    expect(flat).toContain('A symbolic link at the path is refused');
    expect(flat).toMatch(/created `0600` and stays `0600` even when it replaces an existing `0644` file/);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('[SECURITY.md](SECURITY.md)');
  });

  it('states the limits the code has', () => {
    expect(flat).toContain(`User-Agent: ${PROBE_USER_AGENT}`);
    expect(flat).toContain(`AIA_MAX_FETCHES\` = ${AIA_MAX_FETCHES} requests, ${s(AIA_PER_FETCH_MS)} each, ${s(AIA_OVERALL_MS)} in all`);
    expect(flat).toContain(`at most ${MAX_URLS_PER_METHOD} URLs per certificate and method, ${s(DEFAULT_REVOCATION_FETCH_MS)} each`);
    expect(DEFAULT_REVOCATION_MAX_BYTES).toBe(DEFAULT_FETCH_MAX_BYTES);
    expect(flat).toContain(`capped at ${mib(DEFAULT_FETCH_MAX_BYTES)}`);
    expect(flat).toContain(`first line over ${kib(PASSWORD_FILE_MAX_BYTES)} is refused`);
    expect(flat).toContain(`at most ${DEFAULT_MAX_ADDRESSES} addresses per name`);
    expect(flat).toContain(`${kib(DEFAULT_MAX_HEADER_BYTES)} of HTTP headers and ${kib(DEFAULT_MAX_BODY_BYTES)} of body`);
    expect(flat).toContain(`Input files: ${mib(MAX_INPUT_BYTES)} each`);
    expect(flat).toContain(`capped at ${DEFAULT_MAX_ITERATIONS.toLocaleString('en-US')} iterations and a ${s(DEFAULT_DEADLINE_MS)} deadline`);
  });
});
