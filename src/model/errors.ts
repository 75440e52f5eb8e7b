/**
 * A problem with what the user gave us (a file, a flag, a password). The CLI prints
 * `message` as one line and exits 2. Never used for what a backend did: that is a finding.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** Exit status the CLI uses for this error. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** `e` is a usage error (a bad file, flag or password), not a bug. */
export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
