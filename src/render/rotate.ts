/**
 * The words of a rotation's steps. planRotation orders the steps as codes with evidence
 * (model/rotation.ts); this file says each one, command lines included, and adds the words to the
 * report as each step's `action` before any format renders it.
 */
import { ROOT_SERVING } from '../model/catalog.js';
import type { Finding } from '../model/findings.js';
import type { Report } from '../model/report.js';
import type { RootRef, RotationInfo, RotationStep, TrustedRootCheck } from '../model/rotation.js';

/** The file names the suggested commands write. */
const NEW_ROOT_FILE = 'new-root.cer';
const CURRENT_ROOT_FILE = 'current-root.cer';
const FULLCHAIN_FILE = 'fullchain.pem';

function short(sha: string): string {
  return `${sha.slice(0, 16)}…`;
}

function rootWhat(root: RootRef, topSubject: string): string {
  return root.available && root.sha256 !== null
    ? `the new root "${root.subject}" (sha256 ${short(root.sha256)})`
    : `the root that issued "${topSubject}", named "${root.subject}"`;
}

function rootHow(root: RootRef, newSource: string): string {
  return root.available
    ? ` Write it as a .cer with: certcheck export-root ${newSource} --output ${NEW_ROOT_FILE}.`
    : ` It is not in ${newSource}: get it from the CA.`;
}

/**
 * One step in words. `findings` are the report's findings, in the report's order: a
 * DO_NOT_INSTALL step quotes the explanation and fix of the finding it names.
 */
export function rotationStepText(step: RotationStep, findings: readonly Finding[]): string {
  switch (step.code) {
    case 'UPLOAD_NEW_ROOT': {
      const e = step.evidence;
      const keep = e.currentRoot !== null ? ` Keep the current root "${e.currentRoot}" uploaded until the backend serves the new certificate.` : '';
      return `Upload ${rootWhat(e.root, e.topSubject)} to the backend setting's trusted root certificates.${rootHow(e.root, e.newSource)}${keep}`;
    }
    case 'SWITCH_TO_CUSTOM_ROOTS': {
      const e = step.evidence;
      const keep = e.currentRoot !== null
        ? ` Upload the current root "${e.currentRoot}" as well (certcheck export-root ${e.backend ?? 'the backend'} --sni ${e.host} --output ${CURRENT_ROOT_FILE}), so the backend stays healthy until the cut-over.`
        : '';
      return `The new chain is not under a well-known CA: in the backend setting, set "Use well known CA certificate" to No and upload ${rootWhat(e.root, e.topSubject)}.${rootHow(e.root, e.newSource)}${keep}`;
    }
    case 'DO_NOT_INSTALL': {
      const e = step.evidence;
      const f = findings[e.findingIndex];
      const said = f && f.code === e.finding ? `${f.explanation}${f.fix ? ` Fix: ${f.fix}` : ''}` : '';
      return `Do not install ${e.newSource} yet: ${e.finding}: ${said}`;
    }
    case 'COMPLETE_CHAIN': {
      const e = step.evidence;
      return `Complete the chain first: the issuer of "${e.topSubject}" is missing. Build it with: certcheck bundle ${e.newSource} --intermediates DIR --output ${FULLCHAIN_FILE}`;
    }
    case 'INSTALL': {
      const e = step.evidence;
      const key = e.keyChecked ? ' with its private key (checked: it matches the leaf)' : ' with its private key (not checked: pass --key FILE or a PFX that holds the key)';
      const order = e.order.map((s, i) => `${i + 1}) ${s}`).join(', ');
      const reorder = e.reorder ? ' The file is not in this order today: reorder it.' : '';
      return `${e.afterFixes ? 'Then install' : 'Install'} ${e.newSource} on ${e.backend ?? 'the backend'}${key}, serving the chain in this order: ${order}, then the root. ${ROOT_SERVING[0]!.toUpperCase()}${ROOT_SERVING.slice(1)}.${reorder}`;
    }
    case 'REPROBE': {
      const e = step.evidence;
      const roots = e.customRoots ? ' --trusted-root <each root uploaded today>' : '';
      return `Re-probe after the switch; expect Healthy: certcheck ${e.backend ?? 'HOST:PORT'} --sni ${e.host}${roots}${e.newRootFile ? ` --trusted-root ${NEW_ROOT_FILE}` : ''}`;
    }
    case 'REMOVE_OLD_ROOT':
      return `Once every backend using this setting serves the new chain, remove the old root "${step.evidence.oldRoot}" from the backend setting.`;
  }
}

/** The given trusted roots and whether they anchor the new chain, in one sentence. */
function trustedRootText(t: TrustedRootCheck, newSource: string): string {
  const names = t.given.map((g) => `"${g.subject}"`).join(', ');
  const given = t.given.length === 1 ? `the given trusted root ${names}` : `none of the given trusted roots (${names})`;
  const verb = t.given.length === 1 ? 'does not anchor' : 'anchors';
  switch (t.end) {
    case 'anchored': return `the given trusted root "${t.anchor?.subject ?? t.top.subject}" anchors the new chain.`;
    case 'issuer-missing': return `${given} ${verb} the new chain yet: it stops at "${t.top.subject}", whose issuer "${t.missingIssuer ?? ''}" is neither in ${newSource} nor a given trusted root.`;
    case 'other-root': return `${given} ${verb} the new chain: it ends at the self-signed root "${t.top.subject}", which is not one of them.`;
    case 'not-a-ca': return `the new chain's only certificate "${t.top.subject}" is self-signed and not a CA, which the gateway refuses whatever roots are uploaded.`;
  }
}

/**
 * The rotation's root lines: how the new chain's root compares with today's (when the backend was
 * probed) and whether the given trusted roots anchor it. A comparison that could not be made says
 * which side lacked a root, never "no root" when roots were given.
 */
export function rotationRootLines(rot: RotationInfo): string[] {
  const lines: string[] = [];
  const c = rot.comparison;
  if (c) {
    const unknown = rot.current?.root ? 'not compared: the new chain stops before its root' : 'not compared: the backend\'s chain today reaches no root';
    lines.push(`Root: ${c.sameRoot === null ? unknown : c.sameRoot ? 'unchanged' : `changes to ${c.newRoot ?? '(unknown)'}`}`);
  }
  if (rot.trustedRootCheck) lines.push(`Trusted root: ${trustedRootText(rot.trustedRootCheck, rot.newSource)}`);
  return lines;
}

/**
 * The report with each rotation step's words added as `action` (after `where`, as the JSON report
 * has always shown them); any other report is returned as it is.
 */
export function withRotationWords(report: Report): Report {
  if (report.kind !== 'verify') return report;
  const rot = report.rotation;
  if (!rot?.steps?.length) return report;
  const steps = rot.steps.map((s) => {
    const { order, where, action: _old, ...data } = s;
    return { order, where, action: rotationStepText(s, report.findings), ...data } as RotationStep;
  });
  return { ...report, rotation: { ...rot, steps } };
}
