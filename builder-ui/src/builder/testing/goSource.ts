/// <reference types="node" />
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, for tests that read the server's sources. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The non-test Go files of a package directory (relative to the repository), with their text. */
export function goFiles(dir: string, name: RegExp = /\.go$/): { file: string; text: string }[] {
  const abs = join(repoRoot, dir);
  return readdirSync(abs)
    .filter((f) => name.test(f) && !f.endsWith('_test.go'))
    .map((f) => ({ file: f, text: readFileSync(join(abs, f), 'utf8') }));
}

/** The text of one repository file. */
export function repoFile(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}
