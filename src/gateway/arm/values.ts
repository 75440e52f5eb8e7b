/**
 * What template evaluation hands back besides plain JSON: a marker for a value that cannot be known
 * offline, and where each known value came from. Shared by the evaluator, its functions and the
 * readers that consume evaluated resources (the gateway config, the network loader).
 */

/**
 * A value that cannot be known without deploying: a `reference()` to something outside the
 * template, a `listKeys()`, a Key Vault secret, a parameter with no value. It stands in the
 * evaluated tree exactly where the value would be, so only what reads that spot is affected.
 */
export class ArmUnknown {
  constructor(
    /** Why the value is unknown, in words ("parameter backend1 has no value and no default"). */
    readonly reason: string,
    /** The template text that produced it (the whole `[...]` expression); '' inside an evaluation. */
    readonly expression = '',
    /** JSON path of the value in the template (`resources[2].properties.probes[0].properties.host`). */
    readonly path = '',
  ) {}

  /** The same unknown, placed at a template path. */
  at(expression: string, path: string): ArmUnknown {
    return new ArmUnknown(this.reason, expression, path);
  }

  /** `path: expression: reason`, the shape used in warnings and in "not probed" lines. */
  describe(): string {
    const where = this.path ? `${this.path}: ` : '';
    const what = this.expression ? `${this.expression} is unknown (${this.reason})` : this.reason;
    return `${where}${what}`;
  }
}

export const isUnknown = (v: unknown): v is ArmUnknown => v instanceof ArmUnknown;

/** Where a parameter's value came from. */
export type ParameterOrigin = 'default' | 'parameters file' | 'command line' | 'module';

/** One input that an evaluated value depended on. */
export type ArmSource =
  | { kind: 'parameter'; name: string; origin: ParameterOrigin; file?: string }
  | { kind: 'variable'; name: string }
  /** resourceGroup(), subscription(), deployment(): placeholders unless the caller supplied them. */
  | { kind: 'context'; name: string; placeholder: boolean }
  | { kind: 'reference'; name: string };

/** One line for a source: `parameter probeHost (parameters file p.json)`. */
export function describeSource(s: ArmSource): string {
  switch (s.kind) {
    case 'parameter': return `parameter ${s.name} (${s.origin === 'parameters file' && s.file ? `parameters file ${s.file}` : s.origin === 'default' ? 'its default value' : s.origin === 'module' ? `passed by the nested deployment at ${s.file ?? '?'}` : s.origin})`;
    case 'variable': return `variable ${s.name}`;
    case 'context': return `${s.name}${s.placeholder ? ' (a placeholder: the real value is known only at deployment)' : ''}`;
    case 'reference': return `reference to ${s.name}`;
  }
}

/** Sources in words, or null for a literal. */
export function describeSources(list: readonly ArmSource[] | undefined): string | null {
  if (!list?.length) return null;
  return list.map(describeSource).join(', ');
}
