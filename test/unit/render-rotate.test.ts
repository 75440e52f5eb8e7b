/**
 * Rotation steps are data (code + evidence); render/rotate.ts words them. Each code's words, and
 * the rendered report carrying them as `action` in every format.
 */
import { describe, expect, test } from 'vitest';
import type { Finding } from '../../src/model/findings.js';
import type { Report, VerifyReport } from '../../src/model/report.js';
import type { RotationInfo, RotationStep } from '../../src/model/rotation.js';
import { rotationRootLines, rotationStepText, withRotationWords } from '../../src/render/rotate.js';

const root = { subject: 'CN=Root B', sha256: 'ab'.repeat(32), available: true };
const steps: RotationStep[] = [
  { order: 1, where: 'gateway', code: 'UPLOAD_NEW_ROOT', evidence: { root, topSubject: 'CN=Int B', newSource: 'new.pem', currentRoot: 'CN=Root A' } },
  { order: 2, where: 'backend', code: 'DO_NOT_INSTALL', evidence: { newSource: 'new.pem', finding: 'CERT_EXPIRED', findingIndex: 0 } },
  { order: 3, where: 'backend', code: 'COMPLETE_CHAIN', evidence: { newSource: 'new.pem', topSubject: 'CN=leaf' } },
  { order: 4, where: 'backend', code: 'INSTALL', evidence: { newSource: 'new.pem', backend: '10.0.0.4:443', keyChecked: true, order: ['CN=leaf', 'CN=Int B'], reorder: true, afterFixes: true } },
  { order: 5, where: 'check', code: 'REPROBE', evidence: { backend: '10.0.0.4:443', host: 'app.example', customRoots: true, newRootFile: true } },
  { order: 6, where: 'gateway', code: 'REMOVE_OLD_ROOT', evidence: { oldRoot: 'CN=Root A' } },
];
const expired = { code: 'CERT_EXPIRED', severity: 'error', explanation: 'The leaf expired.', fix: 'Renew it.' } as Finding;

describe('rotation step words', () => {
  test('each code says its step, with the evidence it carries', () => {
    const t = steps.map((s) => rotationStepText(s, [expired]));
    expect(t[0]).toBe(`Upload the new root "CN=Root B" (sha256 ${'ab'.repeat(8)}…) to the backend setting's trusted root certificates. Write it as a .cer with: certcheck export-root new.pem --output new-root.cer. Keep the current root "CN=Root A" uploaded until the backend serves the new certificate.`);
    expect(t[1]).toBe('Do not install new.pem yet: CERT_EXPIRED: The leaf expired. Fix: Renew it.');
    expect(t[2]).toBe('Complete the chain first: the issuer of "CN=leaf" is missing. Build it with: certcheck bundle new.pem --intermediates DIR --output fullchain.pem');
    expect(t[3]).toBe('Then install new.pem on 10.0.0.4:443 with its private key (checked: it matches the leaf), serving the chain in this order: 1) CN=leaf, 2) CN=Int B, then the root. The gateway\'s documentation recommends serving the root too, after the intermediates; the verdict does not depend on it, as the gateway checks the chain against its own copy of the root, uploaded or well-known. The file is not in this order today: reorder it.');
    expect(t[4]).toBe('Re-probe after the switch; expect Healthy: certcheck 10.0.0.4:443 --sni app.example --trusted-root <each root uploaded today> --trusted-root new-root.cer');
    expect(t[5]).toBe('Once every backend using this setting serves the new chain, remove the old root "CN=Root A" from the backend setting.');
    const sw = rotationStepText({ order: 1, where: 'gateway', code: 'SWITCH_TO_CUSTOM_ROOTS', evidence: { root: { subject: 'CN=Root B', sha256: null, available: false }, topSubject: 'CN=Int B', newSource: 'b.pem', currentRoot: 'CN=Root A', backend: null, host: 'app.example' } }, []);
    expect(sw).toBe('The new chain is not under a well-known CA: in the backend setting, set "Use well known CA certificate" to No and upload the root that issued "CN=Int B", named "CN=Root B". It is not in b.pem: get it from the CA. Upload the current root "CN=Root A" as well (certcheck export-root the backend --sni app.example --output current-root.cer), so the backend stays healthy until the cut-over.');
  });

  test('the rendered report carries the words as action, after where; a report without rotation is untouched', () => {
    const rotation = { newSource: 'new.pem', steps } as unknown as RotationInfo;
    const report = { kind: 'verify', status: 'Unhealthy', findings: [expired], rotation } as unknown as VerifyReport;
    const worded = withRotationWords(report);
    const first = ((worded as VerifyReport).rotation as RotationInfo).steps[0]!;
    expect(Object.keys(first).slice(0, 3)).toEqual(['order', 'where', 'action']);
    expect(first.code).toBe('UPLOAD_NEW_ROOT');
    expect((report.rotation as RotationInfo).steps[0]!.action).toBeUndefined();
    const plain = { kind: 'verify', status: 'Healthy', findings: [] } as unknown as Report;
    expect(withRotationWords(plain)).toBe(plain);
  });
});

describe('the rotation\'s root lines (issue 18: never "no root" when roots were given)', () => {
  const A = { subject: 'CN=Root A', sha256: 'aa'.repeat(32) };
  const B = { subject: 'CN=Root B', sha256: 'bb'.repeat(32) };
  const leaf = { subject: 'CN=leaf', sha256: 'cc'.repeat(32) };
  const rot = (p: Partial<RotationInfo>) => ({ newSource: 'new.pem', comparison: null, current: null, trustedRootCheck: null, ...p }) as RotationInfo;
  const cmp = { sameRoot: null, newIntermediates: [], removedIntermediates: [], newRoot: null, sameLeafKey: null };
  test('each way the given roots meet the new chain, and why a comparison could not be made', () => {
    expect(rotationRootLines(rot({ trustedRootCheck: { given: [A], end: 'anchored', anchor: A, top: A, missingIssuer: null } })))
      .toEqual(['Trusted root: the given trusted root "CN=Root A" anchors the new chain.']);
    expect(rotationRootLines(rot({ trustedRootCheck: { given: [A, B], end: 'issuer-missing', anchor: null, top: leaf, missingIssuer: 'CN=Int' } })))
      .toEqual(['Trusted root: none of the given trusted roots ("CN=Root A", "CN=Root B") anchors the new chain yet: it stops at "CN=leaf", whose issuer "CN=Int" is neither in new.pem nor a given trusted root.']);
    expect(rotationRootLines(rot({ trustedRootCheck: { given: [A], end: 'other-root', anchor: null, top: B, missingIssuer: null } })))
      .toEqual(['Trusted root: the given trusted root "CN=Root A" does not anchor the new chain: it ends at the self-signed root "CN=Root B", which is not one of them.']);
    expect(rotationRootLines(rot({ trustedRootCheck: { given: [A], end: 'not-a-ca', anchor: null, top: leaf, missingIssuer: null } })))
      .toEqual(['Trusted root: the new chain\'s only certificate "CN=leaf" is self-signed and not a CA, which the gateway refuses whatever roots are uploaded.']);
    const today = { target: 'x:443', status: 'Healthy', message: '', messageId: null, presented: [], root: A } as RotationInfo['current'];
    expect(rotationRootLines(rot({ comparison: cmp, current: today }))).toEqual(['Root: not compared: the new chain stops before its root']);
    expect(rotationRootLines(rot({ comparison: cmp, current: { ...today!, root: null } }))).toEqual(['Root: not compared: the backend\'s chain today reaches no root']);
    expect(rotationRootLines(rot({}))).toEqual([]);
  });
});
