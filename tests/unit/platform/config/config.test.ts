import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../../platform/config/config.js';

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      MQTT_PORT: 1883,
      HTTP_PORT: 8080,
      STORE: 'embedded',
      SIMULATE: true,
      ADMIN_USERNAME: 'admin',
      MQTT_URL: 'mqtt://127.0.0.1:1883',
      PUBLIC_URL: 'http://localhost:8080',
      INGEST_URL: 'http://127.0.0.1:8081',
    });
    expect(config.ADMIN_PASSWORD).toBeUndefined();
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('parses numbers and booleans and derives URLs from ports', () => {
    const config = loadConfig({ MQTT_PORT: '11883', HTTP_PORT: '9090', SIMULATE: 'false', PUBLIC_URL: 'https://ioc.example.vn/' });
    expect(config.MQTT_PORT).toBe(11883);
    expect(config.SIMULATE).toBe(false);
    expect(config.MQTT_URL).toBe('mqtt://127.0.0.1:11883');
    expect(config.PUBLIC_URL).toBe('https://ioc.example.vn');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ ADMIN_PASSWORD: '', MAP_TILE_URL: ' ' }).ADMIN_PASSWORD).toBeUndefined();
  });

  it('reports every problem as VAR: problem', () => {
    let caught: unknown;
    try {
      loadConfig({ MQTT_PORT: 'seventy', HTTP_PORT: '70000', STORE: 'postgres', SIMULATE: 'maybe', ADMIN_PASSWORD: 'short' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['MQTT_PORT', 'HTTP_PORT', 'STORE', 'SIMULATE', 'ADMIN_PASSWORD']),
    );
    expect(problems).toHaveLength(5);
    expect((caught as ConfigError).message).toContain('ADMIN_PASSWORD: must be at least 10 characters');
  });
});

describe('.env.example', () => {
  it('is a valid configuration that documents every variable', async () => {
    const { parseEnv } = await import('node:util');
    const { readFileSync } = await import('node:fs');
    const { configSchema } = await import('../../../../platform/config/config.js');
    const example = parseEnv(readFileSync('.env.example', 'utf8'));
    expect(() => loadConfig(example)).not.toThrow();
    expect(Object.keys(example).sort()).toEqual(Object.keys(configSchema.shape).sort());
  });
});
