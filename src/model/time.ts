/**
 * How the report spells an instant: RFC 3339 UTC to the second ("2026-01-31T12:00:00Z"), or
 * "invalid" for a time that is not one. A schema format, not a display choice: renderers may
 * word dates further, the JSON always carries this.
 */
export function reportTime(d: Date | null | undefined): string {
  return d ? d.toISOString().replace('.000Z', 'Z') : 'invalid';
}
