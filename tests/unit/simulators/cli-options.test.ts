import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import type { Site } from '../../../common/sites.js';
import { buildSimCommand, readSimOptions, selectSites } from '../../../simulators/cli/options.js';
import { DEFAULT_SEED } from '../../../simulators/demo-simulator.js';

const config = { MQTT_URL: 'mqtt://127.0.0.1:1883', SIM_SNAPSHOT_HOST: '127.0.0.1', SIM_SNAPSHOT_PORT: 8083 };

function parse(args: string[]) {
  const command = buildSimCommand(config)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  command.parse(args, { from: 'user' });
  return readSimOptions(command);
}

const site = (id: string): Site => ({
  id,
  name: id,
  kind: 'water-quality',
  lat: 10,
  lon: 105,
  province: { former: 'Kiên Giang', current: 'An Giang' },
  reportingIntervalSec: 5,
});

describe('npm run sim options', () => {
  it('defaults come from the config', () => {
    expect(parse([])).toEqual({
      mqttUrl: 'mqtt://127.0.0.1:1883',
      sites: undefined,
      seed: DEFAULT_SEED,
      speed: 1,
      durationSec: undefined,
      snapshots: true,
      snapshotHost: '127.0.0.1',
      snapshotPort: 8083,
    });
  });

  it('parses every option', () => {
    expect(
      parse([
        '--mqtt-url',
        'mqtt://broker:1884',
        '--sites',
        'KG-WQ-01, KG-SAL-01',
        '--seed',
        '5',
        '--speed',
        '10',
        '--duration',
        '2.5',
        '--no-snapshots',
        '--snapshot-port',
        '0',
      ]),
    ).toEqual({
      mqttUrl: 'mqtt://broker:1884',
      sites: ['KG-WQ-01', 'KG-SAL-01'],
      seed: 5,
      speed: 10,
      durationSec: 2.5,
      snapshots: false,
      snapshotHost: '127.0.0.1',
      snapshotPort: 0,
    });
  });

  it.each([
    ['--speed', '0'],
    ['--speed', 'fast'],
    ['--duration', '-1'],
    ['--seed', '1.5'],
    ['--mqtt-url', 'http://example.org'],
    ['--mqtt-url', 'not a url'],
    ['--snapshot-port', '70000'],
    ['--sites', ' , '],
  ])('rejects %s %s', (option, value) => {
    expect(() => parse([option, value])).toThrow(CommanderError);
  });

  it('documents every option in --help', () => {
    const help = buildSimCommand(config).helpInformation();
    for (const option of ['--mqtt-url', '--sites', '--seed', '--speed', '--duration', '--no-snapshots']) expect(help).toContain(option);
  });
});

describe('selectSites', () => {
  const all = [site('A-1'), site('B-2'), site('C-3')];

  it('returns every site by default and the named ones in order, without duplicates', () => {
    expect(selectSites(all, undefined).map((s) => s.id)).toEqual(['A-1', 'B-2', 'C-3']);
    expect(selectSites(all, ['C-3', 'A-1', 'C-3']).map((s) => s.id)).toEqual(['C-3', 'A-1']);
  });

  it('lists unknown ids', () => {
    expect(() => selectSites(all, ['A-1', 'X-9', 'Y-8'])).toThrow(/unknown site ids: X-9, Y-8/);
  });
});
