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

const defaults = {
  mode: 'demo',
  mqttUrl: 'mqtt://127.0.0.1:1883',
  apiUrl: 'http://127.0.0.1:8080',
  sites: undefined,
  seed: DEFAULT_SEED,
  speed: undefined,
  durationSec: undefined,
  snapshots: true,
  snapshotHost: '127.0.0.1',
  snapshotPort: 8083,
  scenario: undefined,
  startMs: undefined,
  faults: [],
  dryRun: false,
  devices: undefined,
  rate: undefined,
  connectRate: 500,
  kinds: undefined,
  processes: undefined,
  qos: 1,
  cleanup: false,
  adminUser: 'admin',
  adminPassword: undefined,
  replayFile: undefined,
  site: undefined,
  timestamps: 'original',
  deviceToken: undefined,
};

describe('npm run sim options', () => {
  it('defaults come from the config', () => {
    expect(parse([])).toEqual(defaults);
  });

  it('parses the demo options', () => {
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
        '--fault',
        'KG-WQ-01=stuck,metrics=ph',
        '--fault',
        'KG-SAL-01=offline,at=1m,for=2m',
      ]),
    ).toEqual({
      ...defaults,
      mqttUrl: 'mqtt://broker:1884',
      sites: ['KG-WQ-01', 'KG-SAL-01'],
      seed: 5,
      speed: 10,
      durationSec: 2.5,
      snapshots: false,
      snapshotPort: 0,
      faults: [
        { siteId: 'KG-WQ-01', fault: { type: 'stuck', metrics: ['ph'] }, atMs: 0, forMs: undefined },
        { siteId: 'KG-SAL-01', fault: { type: 'offline' }, atMs: 60_000, forMs: 120_000 },
      ],
    });
  });

  it('chooses the mode from the options given', () => {
    expect(parse(['--scenario', 'do-crash', '--start', '2026-03-01T18:00:00+07:00', '--dry-run'])).toMatchObject({
      mode: 'scenario',
      scenario: 'do-crash',
      startMs: Date.parse('2026-03-01T11:00:00Z'),
      dryRun: true,
    });
    expect(
      parse([
        '--devices',
        '20000',
        '--rate',
        '2000',
        '--duration',
        '10m',
        '--cleanup',
        '--processes',
        '2',
        '--kinds',
        'salinity,camera',
        '--qos',
        '0',
      ]),
    ).toMatchObject({
      mode: 'load',
      devices: 20_000,
      rate: 2000,
      durationSec: 600,
      cleanup: true,
      processes: 2,
      kinds: ['salinity', 'camera'],
      qos: 0,
    });
    expect(parse(['--cleanup', '--api-url', 'https://ioc.example.vn/'])).toMatchObject({
      mode: 'cleanup',
      apiUrl: 'https://ioc.example.vn',
    });
    expect(parse(['--replay', 'r.csv', '--site', 'KG-WQ-01', '--timestamps', 'live', '--speed', '60'])).toMatchObject({
      mode: 'replay',
      replayFile: 'r.csv',
      site: 'KG-WQ-01',
      timestamps: 'live',
      speed: 60,
    });
    expect(parse(['--list-scenarios']).mode).toBe('list-scenarios');
  });

  it.each([
    ['--speed', '0'],
    ['--speed', 'fast'],
    ['--duration', '-1'],
    ['--duration', 'soon'],
    ['--seed', '1.5'],
    ['--mqtt-url', 'http://example.org'],
    ['--mqtt-url', 'not a url'],
    ['--api-url', 'mqtt://x'],
    ['--snapshot-port', '70000'],
    ['--sites', ' , '],
    ['--devices', '0'],
    ['--fault', 'KG-WQ-01=melt'],
    ['--start', 'tomorrow'],
    ['--kinds', 'boats'],
    ['--timestamps', 'later'],
    ['--site', 'lower-case'],
  ])('rejects %s %s', (option, value) => {
    expect(() => parse([option, value])).toThrow(CommanderError);
  });

  it.each([
    [['--devices', '10', '--scenario', 'do-crash'], /choose one mode/],
    [['--devices', '10', '--fault', 'KG-WQ-01=offline'], /--fault does not apply to load mode/],
    [['--scenario', 'do-crash', '--rate', '5'], /--rate does not apply to scenario mode/],
    [['--rate', '5'], /--rate does not apply to demo mode/],
    [['--replay', 'r.csv'], /needs --site/],
    [['--dry-run'], /needs --duration/],
  ])('refuses %j', (args, message) => {
    expect(() => parse(args)).toThrow(message);
  });

  it('documents every option and mode in --help', () => {
    const command = buildSimCommand(config);
    let help = '';
    command.configureOutput({ writeOut: (text) => (help += text) });
    command.outputHelp();
    for (const option of [
      '--mqtt-url',
      '--api-url',
      '--sites',
      '--seed',
      '--speed',
      '--duration',
      '--no-snapshots',
      '--scenario',
      '--start',
      '--fault',
      '--dry-run',
      '--devices',
      '--rate',
      '--cleanup',
      '--replay',
      '--timestamps',
    ]) {
      expect(help).toContain(option);
    }
    expect(help).toContain('docs/simulators.md');
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
