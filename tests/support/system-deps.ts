/**
 * Tests that need a system package (chromium, mosquitto_pub, victoria-metrics, influxd) skip with a
 * loud message when it is missing locally; `.ci/run` sets IOC_REQUIRE_SYSTEM_TESTS=1, which turns
 * the skip into a failure so CI can never go green without running them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe } from 'vitest';

/** Absolute path of an executable, or undefined when it is not installed. */
export function findExecutable(name: string): string | undefined {
  if (name.startsWith('/')) return fs.existsSync(name) ? name : undefined;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const required = process.env.IOC_REQUIRE_SYSTEM_TESTS === '1';

/**
 * `describe` when the executable exists; otherwise a loud skip locally, or a failing suite when
 * system tests are required (CI). `aptPackage` names what to install.
 */
export function describeWithExecutable(executable: string, aptPackage: string, title: string, body: (path: string) => void): void {
  const found = findExecutable(executable);
  if (found) {
    describe(title, () => body(found));
    return;
  }
  const message = `${executable} not found: install it with "apt-get install -y ${aptPackage}"`;
  if (required) {
    describe(title, () => {
      throw new Error(`required system test cannot run: ${message}`);
    });
    return;
  }
  process.stderr.write(`\n⚠️  SKIPPING "${title}": ${message}\n\n`);
  describe.skip(title, () => body(''));
}
