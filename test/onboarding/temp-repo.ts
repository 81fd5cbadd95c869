import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * A throw-away copy of this repository in a temp directory: the files git knows about (tracked, and
 * untracked but not ignored, as they are in the working tree) with node_modules symlinked. Tests that
 * change the repository (the scaffold) run there; the real repository is never modified.
 */
export function copyRepository(prefix = 'repo-'): { dir: string; remove(): void } {
  const root = resolve('.');
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter(Boolean);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const file of new Set(listed)) {
    const from = join(root, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree
    const to = join(dir, file);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Runs a command in `cwd`, returning its exit status and output (never throws on failure). */
export function sh(cwd: string, command: string, args: string[], timeoutMs = 180_000) {
  const r = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 32 * 1024 * 1024,
  });
  const stdout = (r.stdout ?? '').replace(ANSI, '');
  const stderr = (r.stderr ?? '').replace(ANSI, '');
  return { status: r.status, stdout, stderr, output: `${stdout}${stderr}` };
}
