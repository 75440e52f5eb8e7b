/**
 * Issue 19: `certcheck completion bash|zsh|fish` is made from the command tree. The bash script is
 * sourced in a real bash and asked what it completes, as bash's programmable completion would.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const io: CliIo = { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, stdoutIsTTY: false, stdinIsTTY: false };
  return { code: await main(argv, io), out, err };
}

/** What the sourced script offers for the words typed so far (the last one being completed). */
function complete(script: string, words: string[]): string[] {
  const prog = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; cd /nonexistent 2>/dev/null; _certcheck; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['--norc', '--noprofile', '-c', prog], { encoding: 'utf8', cwd: '/' }).split('\n').filter(Boolean);
}

describe('completion', () => {
  test('bash: commands, options per command, option choices, files for file options', async () => {
    const r = await cli(['completion', 'bash']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const s = r.out;
    expect(complete(s, ['certcheck', ''])).toEqual(expect.arrayContaining(['verify', 'gateway', 'targets', 'rotate', 'bundle', 'export-root', 'demo', 'completion']));
    expect(complete(s, ['certcheck', 'ver'])).toEqual(['verify']);
    expect(complete(s, ['certcheck', 'verify', 'leaf.pem', '--tru'])).toEqual(['--trusted-root']);
    expect(complete(s, ['certcheck', 'verify', '--format', ''])).toEqual(['text', 'json', 'junit', 'github', 'azure']);
    expect(complete(s, ['certcheck', 'verify', '--revocation', 'o'])).toEqual(['off', 'ocsp']);
    // The default command: `certcheck HOST:PORT --s…` completes the probe's options.
    expect(complete(s, ['certcheck', '10.0.0.1:443', '--sn'])).toEqual(['--sni']);
    expect(complete(s, ['certcheck', '10.0.0.1:443', '--protocol', ''])).toEqual(['https', 'http']);
    expect(complete(s, ['certcheck', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    // A file option completes paths: /etc from /.
    expect(complete(s, ['certcheck', 'verify', '--trusted-root', '/et'])).toEqual(['/etc']);
  });

  test('zsh and fish scripts name every command; a wrong shell is a usage error', async () => {
    const zsh = (await cli(['completion', 'zsh'])).out;
    expect(zsh.split('\n')[0]).toBe('#compdef certcheck');
    expect(zsh).toContain('bashcompinit');
    const fish = (await cli(['completion', 'fish'])).out;
    expect(fish).toContain("complete -c certcheck -f -n '__fish_use_subcommand' -a 'verify probe");
    expect(fish).toContain("complete -c certcheck -n '__fish_seen_subcommand_from verify' -l 'format' -x -a 'text json junit github azure'");
    const bad = await cli(['completion', 'powershell']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/'powershell' is invalid/);
  });
});
