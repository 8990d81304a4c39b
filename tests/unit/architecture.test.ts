/**
 * Enforces the layering in docs/development.md by reading the sources: common/ depends on nothing
 * of ours, the browser app imports no server code, topics are never written by hand, and only the
 * config module reads process.env.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const SOURCE_DIRS = ['common', 'platform', 'broker', 'ingest', 'alerting', 'web/server', 'web/app/src', 'simulators', 'bench'];

function sourceFiles(dir: string): string[] {
  const absolute = path.join(root, dir);
  if (!fs.existsSync(absolute)) return [];
  return fs
    .readdirSync(absolute, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|tsx)$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => path.join(absolute, file));
}

function relativeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)[^'"`]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specifiers.map((match) => match[1] ?? match[2] ?? '').filter((s) => s !== '');
}

function resolvedTarget(file: string, specifier: string): string | undefined {
  return specifier.startsWith('.') ? path.relative(root, path.resolve(path.dirname(file), specifier)) : undefined;
}

describe('architecture boundaries', () => {
  it('common/ imports only zod and other common/ files', () => {
    const offenders = sourceFiles('common').flatMap((file) =>
      relativeImports(file)
        .filter((specifier) => {
          const target = resolvedTarget(file, specifier);
          return target === undefined ? specifier !== 'zod' : !target.startsWith('common');
        })
        .map((specifier) => `${path.relative(root, file)} → ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the browser app imports no server code', () => {
    const files = sourceFiles('web/app/src');
    const offenders = files.flatMap((file) =>
      relativeImports(file)
        .filter((specifier) => {
          const target = resolvedTarget(file, specifier);
          if (target === undefined) return specifier.startsWith('node:');
          return !(target.startsWith('web/app') || target.startsWith('common'));
        })
        .map((specifier) => `${path.relative(root, file)} → ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('nobody outside common/ writes an MQTT topic by hand', () => {
    const handWritten = /['"`](?:sites|platform|alerts)\/(?:\+|#|\$\{|[A-Z0-9-]+\/)/;
    const offenders = SOURCE_DIRS.filter((dir) => dir !== 'common')
      .flatMap(sourceFiles)
      .filter((file) => handWritten.test(fs.readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file));
    expect(offenders).toEqual([]);
  });

  it('only platform/config reads process.env', () => {
    const offenders = SOURCE_DIRS.flatMap(sourceFiles)
      .filter((file) => !path.relative(root, file).startsWith(path.join('platform', 'config')))
      .filter((file) => /process\.env\b/.test(fs.readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file));
    expect(offenders).toEqual([]);
  });
});
