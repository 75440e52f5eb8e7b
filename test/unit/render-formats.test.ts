/**
 * CI formats: JUnit XML (parsed with a strict little XML 1.0 reader), GitHub annotations, the
 * --format/--output plumbing, hostile text, and the JSON Schema every report must satisfy.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyChain } from '../../src/verify.js';
import { probeBackend } from '../../src/probe.js';
import { fixturePem, startBackend } from '../../src/fixtures.js';
import { FINDING_CODES } from '../../src/model/findings.js';
import { GATEWAY_MESSAGES } from '../../src/model/messages.js';
import type { Report } from '../../src/model/report.js';
import { renderReport, resolveFormat } from '../../src/render/format.js';
import { renderJunit } from '../../src/render/junit.js';
import { renderGithub } from '../../src/render/github.js';
import { assertValidReport, reportSchema, validate } from '../helpers/report-schema.js';
import { runCli } from '../helpers/ci-cli.js';

const AT = new Date('2030-06-01T00:00:00Z');
const PKI = 'certs/out/pki';
const produced: { label: string; report: Report }[] = [];
function keep(label: string, r: Report): Report {
  produced.push({ label, report: r });
  return r;
}

// ---------------------------------------------------------------------------------------------
// A strict XML 1.0 reader: elements, attributes, text, the five entities and character
// references; anything else (a raw "<" or "&", a forbidden character, bad nesting) throws.

interface XmlEl { name: string; attrs: Record<string, string>; children: XmlEl[]; text: string }
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function decodeEntities(s: string, where: string): string {
  if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) throw new Error(`bad entity in ${where}`);
  if (s.includes('<')) throw new Error(`raw < in ${where}`);
  return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[e]) return named[e]!;
    const cp = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    const ch = String.fromCodePoint(cp);
    if (XML_FORBIDDEN.test(ch) || cp === 0) throw new Error(`character reference &${e}; is not allowed in XML 1.0`);
    return ch;
  });
}

function parseXml(xml: string): XmlEl {
  if (XML_FORBIDDEN.test(xml)) throw new Error('document contains a character XML 1.0 forbids');
  let i = 0;
  const decl = /^<\?xml [^?]*\?>\s*/.exec(xml);
  if (decl) i = decl[0].length;
  const stack: XmlEl[] = [];
  let root: XmlEl | undefined;
  while (i < xml.length) {
    if (xml[i] === '<') {
      const end = xml.indexOf('>', i);
      if (end < 0) throw new Error('unterminated tag');
      const tag = xml.slice(i + 1, end);
      i = end + 1;
      if (tag.startsWith('/')) {
        const open = stack.pop();
        if (!open || open.name !== tag.slice(1)) throw new Error(`mismatched </${tag.slice(1)}>`);
        if (!stack.length) root = open;
        continue;
      }
      const selfClosing = tag.endsWith('/');
      const m = /^([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*="[^"]*")*)\s*\/?$/.exec(tag);
      if (!m) throw new Error(`malformed tag <${tag.slice(0, 40)}>`);
      const attrs: Record<string, string> = {};
      for (const a of m[2]!.matchAll(/([A-Za-z_][\w.:-]*)="([^"]*)"/g)) {
        if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]}`);
        attrs[a[1]!] = decodeEntities(a[2]!, `attribute ${a[1]}`);
      }
      const el: XmlEl = { name: m[1]!, attrs, children: [], text: '' };
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) throw new Error('two root elements');
      if (selfClosing) { if (!stack.length) root = el; } else stack.push(el);
    } else {
      const next = xml.indexOf('<', i);
      const raw = xml.slice(i, next < 0 ? xml.length : next);
      i = next < 0 ? xml.length : next;
      if (!stack.length) { if (raw.trim()) throw new Error('text outside the root element'); continue; }
      stack[stack.length - 1]!.text += decodeEntities(raw, 'text');
    }
  }
  if (stack.length || !root) throw new Error('unclosed elements');
  return root;
}

const find = (el: XmlEl, name: string): XmlEl[] => [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => find(c, name))];

// Characters that must never reach a terminal or an XML file raw.
const DANGEROUS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

// ---------------------------------------------------------------------------------------------

let tmp: string;
let hostilePem: string;
let healthy: Report, leafOnly: Report, expired: Report, expiringSoon: Report, minDays: Report, hostile: Report, unknown: Report, probed: Report;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'certcheck-render-'));
  // A self-signed leaf whose subject carries ESC[2J, BEL, a newline and U+202E (RLO).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(tmp, 'k.pem'), '-out', join(tmp, 'c.pem'),
    '-days', '3650', '-utf8', '-subj', '/CN=evil\u001b[2J\u0007\nline2\u202e.test'], { stdio: 'ignore', timeout: 30_000 });
  hostilePem = readFileSync(join(tmp, 'c.pem'), 'utf8');
  const base = { trustedRoots: [fixturePem('root-a')], host: 'backend.test', at: AT };
  healthy = keep('healthy', await verifyChain({ ...base, leaf: fixturePem('leaf-a'), intermediates: [fixturePem('int-a')] }));
  leafOnly = keep('leaf only', await verifyChain({ ...base, leaf: fixturePem('leaf-a') }));
  expired = keep('expired', await verifyChain({ ...base, leaf: fixturePem('leaf-expired'), intermediates: [fixturePem('int-a')] }));
  expiringSoon = keep('expiring soon', await verifyChain({ ...base, at: new Date('2034-12-20T00:00:00Z'), leaf: fixturePem('leaf-a'), intermediates: [fixturePem('int-a')] }));
  minDays = keep('min-days', await verifyChain({ ...base, minDays: 3650, leaf: fixturePem('leaf-a'), intermediates: [fixturePem('int-a')] }));
  hostile = keep('hostile subject', await verifyChain({ leaf: hostilePem, host: 'backend.test' }));
  unknown = keep('too deep', await verifyChain({ leaf: readFileSync('certs/out/hostile/deep.pem', 'utf8'), trustedRoots: [fixturePem('root-a')], at: AT }));
  const b = await startBackend({ served: ['leaf-a', 'int-a'] });
  try {
    probed = keep('probe', await probeBackend({ target: `127.0.0.1:${b.port}`, sni: 'backend.test', trustedRoots: [fixturePem('root-a')], timeoutSeconds: 5 }));
  } finally {
    await b.close();
  }
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  // Every report this file produced, including the CLI's JSON, satisfies the shipped schema.
  for (const p of produced) assertValidReport(p.report, p.label);
});

/** The same report with hostile text everywhere a renderer prints from, NUL included. */
function poisoned(r: Report): Report {
  const evil = 'x\u0000y\u001b[31mRED\u0007\r\n::error::fake\u202e<b>&amp;</b>"\'%';
  const c = structuredClone(r);
  c.message = `${c.message} ${evil}`;
  for (const f of c.findings) { f.explanation += evil; f.fix = `${f.fix ?? ''}${evil}`; f.evidence.injected = evil; }
  if (c.primary) c.primary = c.findings[0]!;
  if (c.chain?.presented[0]) c.chain.presented[0].subject = evil;
  c.host = evil;
  if (c.kind === 'verify') c.inputs = [evil];
  return c;
}

describe('JUnit XML', () => {
  test('one test case per target; Healthy passes, Unhealthy fails with the gateway message and explanation', () => {
    const xml = renderJunit([{ name: 'good', report: healthy }, { name: 'leaf only', report: leafOnly }, { name: 'expired', report: expired }]);
    const doc = parseXml(xml);
    expect(doc.name).toBe('testsuites');
    expect(doc.attrs).toMatchObject({ tests: '3', failures: '2', errors: '0' });
    const cases = find(doc, 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual(['good', 'leaf only', 'expired']);
    expect(find(cases[0]!, 'failure')).toHaveLength(0);
    const [f1] = find(cases[1]!, 'failure');
    expect(leafOnly.messageId).toBe('M8');
    expect(f1!.attrs.message).toBe(GATEWAY_MESSAGES.M8.text);
    expect(f1!.attrs.type).toBe('CHAIN_ONLY_LEAF');
    expect(f1!.text).toContain(leafOnly.primary!.explanation);
    expect(f1!.text).toContain(`Fix: ${leafOnly.primary!.fix}`);
    const [f2] = find(cases[2]!, 'failure');
    expect(f2!.attrs.message).toBe(GATEWAY_MESSAGES.M7.text);
    expect(f2!.text).toContain('OpenSSL: 10 CERT_HAS_EXPIRED');
  });

  test('Unknown is an <error>, not a failure', () => {
    expect(unknown.status).toBe('Unknown');
    const doc = parseXml(renderJunit([{ name: 'deep', report: unknown }]));
    expect(doc.attrs).toMatchObject({ tests: '1', failures: '0', errors: '1' });
    expect(find(doc, 'error')[0]!.attrs.type).toBe(unknown.primary!.code);
  });

  test('hostile subject and hostile text stay escaped and the XML stays well-formed', () => {
    expect(hostile.chain!.presented[0]!.subject).toContain('evil');
    for (const r of [hostile, poisoned(hostile), poisoned(leafOnly)]) {
      const xml = renderReport(r, 'junit');
      expect(xml).not.toMatch(DANGEROUS);
      const doc = parseXml(xml);
      const failure = find(doc, 'failure')[0]!;
      // The escapes are visible text, so the reader can still see what was there.
      if (r !== hostile) expect(failure.attrs.message).toContain('x\\u0000y\\u001b[31mRED\\u0007\\u000d\n::error::fake\\u202e<b>&amp;</b>"\'%');
      expect(JSON.stringify(doc)).not.toMatch(DANGEROUS);
    }
  });
});

describe('GitHub annotations', () => {
  test('::error with the gateway message for Unhealthy, ::notice for Healthy, ::warning per warning', () => {
    const out = renderGithub([{ name: '10.0.0.1:443', report: leafOnly }, { name: 'ok', report: expiringSoon }]);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^::error title=certcheck 10\.0\.0\.1%3A443%3A Unhealthy::Status: Unhealthy%0AGateway message \(M8\): The Intermediate certificate is missing/);
    expect(lines[0]).toContain(`Why: CHAIN_ONLY_LEAF [cert 0]: ${leafOnly.primary!.explanation}`);
    expect(expiringSoon.status).toBe('Healthy');
    expect(lines).toContain(`::notice title=certcheck ok%3A Healthy::${expiringSoon.message}`);
    expect(lines.some((l) => l.startsWith('::warning title=certcheck ok%3A CERT_EXPIRES_SOON::'))).toBe(true);
  });

  test('hostile text cannot end a command early or reach the log raw', () => {
    const out = renderReport(poisoned(leafOnly), 'github');
    expect(out).not.toMatch(DANGEROUS);
    for (const line of out.trimEnd().split('\n')) expect(line).toMatch(/^::(error|warning|notice) title=[^:]*::/);
    expect(out).toContain('\\u000d%0A::error::fake'); // the injected command is data inside the message
    expect(out).toContain('%25');
  });
});

describe('text output', () => {
  test('control characters from a hostile subject do not reach the terminal', () => {
    for (const r of [hostile, poisoned(leafOnly)]) {
      for (const color of [false, true]) {
        const text = renderReport(r, 'text', { color });
        // Colour codes are the only escape sequences left, and nothing injected starts a line.
        expect(text.replace(/\u001b\[\d+m/g, '')).not.toMatch(DANGEROUS);
        expect(text).not.toMatch(/^::/m);
      }
    }
  });
});

describe('--format and --output', () => {
  test('--json is an alias of --format json and conflicts with another format', () => {
    expect(resolveFormat({})).toBe('text');
    expect(resolveFormat({ json: true })).toBe('json');
    expect(resolveFormat({ json: true, format: 'json' })).toBe('json');
    expect(() => resolveFormat({ json: true, format: 'junit' })).toThrow(/conflicts/);
    expect(() => resolveFormat({ format: 'xml' })).toThrow(/expected one of/);
  });

  test('CLI: --format junit --output writes the XML and prints a one-line summary', async () => {
    const out = join(tmp, 'certcheck.xml');
    const r = await runCli(['verify', `${PKI}/leaf-a.pem`, '--host', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`, '--at', '2030-06-01T00:00:00Z', '--format', 'junit', '--output', out]);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain(`Unhealthy: ${GATEWAY_MESSAGES.M8.text}`);
    expect(r.stdout).toContain(`junit report written to ${out}`);
    const doc = parseXml(readFileSync(out, 'utf8'));
    expect(find(doc, 'testcase')).toHaveLength(1);
    expect(find(doc, 'testcase')[0]!.attrs.name).toBe(`${PKI}/leaf-a.pem for backend.test`);
    expect(find(doc, 'failure')[0]!.attrs.message).toBe(GATEWAY_MESSAGES.M8.text);
  });

  test('CLI: --json and --format json print the same report; --format github prints annotations', async () => {
    const args = ['verify', `${PKI}/leaf-a.pem`, `${PKI}/int-a.pem`, '--host', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`, '--at', '2030-06-01T00:00:00Z'];
    const a = await runCli([...args, '--json']);
    const b = await runCli([...args, '--format', 'json']);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    keep('cli json', JSON.parse(a.stdout) as Report);
    const g = await runCli([...args, '--format', 'github', '--min-days', '3650']);
    // The gateway says Healthy; certcheck's --min-days fails: an error annotation labelled as our policy, exit 4.
    expect(g.code).toBe(4);
    expect(g.stdout).toMatch(/^::error title=certcheck certs\/out\/pki\/leaf-a\.pem \+ certs\/out\/pki\/int-a\.pem for backend\.test%3A Healthy \(gateway\)%2C certcheck policy FAIL::/);
    expect(g.stdout).toContain('Policy (certcheck\'s, not the gateway\'s): FAIL%0A  - certificate 0 expires in');
    const bad = await runCli([...args, '--json', '--format', 'junit']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--json conflicts with --format junit');
  });

  test('CLI: --output to an unwritable place is an input error', async () => {
    const r = await runCli(['verify', `${PKI}/leaf-a.pem`, '--output', join(tmp, 'no', 'such', 'dir', 'x.xml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--output: cannot write .* \(ENOENT\)/);
  });
});

describe('expiry thresholds', () => {
  test('days left on every presented certificate; --warn-days warns, --min-days fails certcheck\'s policy', () => {
    for (const c of healthy.chain!.presented) expect(typeof c.daysLeft).toBe('number');
    expect(healthy.chain!.presented.map((c) => c.daysLeft)).toEqual([1675, 5328]);
    expect(expiringSoon.findings.find((f) => f.code === 'CERT_EXPIRES_SOON')).toMatchObject({ severity: 'warning', certIndex: 0 });
    expect(minDays.status).toBe('Healthy');
    expect(minDays.primary).toBeNull();
    expect(minDays.policy.ok).toBe(false);
    expect(minDays.policy.failures[0]).toMatchObject({ check: 'min-days', code: 'CERT_EXPIRES_SOON' });
  });
});

describe('JSON Schema', () => {
  test('the schema is draft 2020-12, versioned, and its enums match the code', () => {
    expect(reportSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const props = reportSchema.properties as Record<string, { const?: unknown }>;
    expect(props.schemaVersion!.const).toBe(healthy.schemaVersion);
    const defs = reportSchema.$defs as Record<string, { enum?: unknown[]; properties?: Record<string, { enum?: unknown[] }> }>;
    expect(defs.finding!.properties!.code!.enum).toEqual([...FINDING_CODES]);
    expect([...defs.messageId!.enum!].sort()).toEqual(Object.keys(GATEWAY_MESSAGES).sort());
  });

  test('every report here validates, including the probe\'s', () => {
    expect(produced.length).toBeGreaterThanOrEqual(8);
    for (const p of produced) assertValidReport(p.report, p.label);
    expect(probed.status).toBe('Healthy');
  });

  test('the validator rejects drift', () => {
    const r = JSON.parse(JSON.stringify(leafOnly)) as Record<string, unknown> & { findings: Record<string, unknown>[]; chain: { presented: Record<string, unknown>[] } };
    delete r.status;
    r.findings[0]!.unexpected = 1;
    r.findings[1]!.code = 'NOT_A_CODE';
    r.chain.presented[0]!.daysLeft = 'soon';
    r.schemaVersion = 2;
    const errs = validate(r);
    expect(errs).toEqual(expect.arrayContaining([
      '$: missing status', '$.schemaVersion: expected 1', '$.findings[0].unexpected: not allowed',
      '$.findings[1].code: "NOT_A_CODE" is not one of the allowed values',
    ]));
    expect(errs.join('\n')).toContain('$.chain.presented[0].daysLeft: expected integer|null, got string');
    expect(validate(JSON.parse(JSON.stringify(leafOnly)))).toEqual([]);
  });
});
