import http from 'node:http';
import express from 'express';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Health } from '../../../../common/api.js';
import { AppError } from '../../../../platform/errors.js';
import { InternalHttpServer, type InternalHttpServerOptions } from '../../../../platform/http/internal-server.js';
import { silentLogger } from '../../../../platform/logger.js';

const healthy: Health = { status: 'ok', version: 'test', uptimeSec: 1, components: { store: { status: 'ok' } } };

describe('InternalHttpServer', () => {
  const servers: InternalHttpServer[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  async function startServer(options: Partial<InternalHttpServerOptions> = {}): Promise<InternalHttpServer> {
    const server = new InternalHttpServer({
      name: 'test-http',
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
      metrics: new Registry(),
      health: async () => healthy,
      ...options,
    });
    servers.push(server);
    await server.start();
    return server;
  }

  it('binds an ephemeral port and reports its URL', async () => {
    const server = await startServer();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.name).toBe('test-http');
  });

  it('maps a wildcard host to loopback in its URL', async () => {
    const server = await startServer({ host: '0.0.0.0' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await fetch(`${server.url}/internal/health`)).status).toBe(200);
  });

  it('serves health as JSON with 200 when ok or degraded, 503 when the check throws', async () => {
    let health: () => Promise<Health> = async () => healthy;
    const server = await startServer({ health: () => health() });

    const ok = await fetch(`${server.url}/internal/health`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/application\/json/);
    expect(await ok.json()).toEqual(healthy);

    const degraded: Health = { ...healthy, status: 'degraded', components: { mqtt: { status: 'down', detail: 'broker gone' } } };
    health = async () => degraded;
    const degradedAnswer = await fetch(`${server.url}/internal/health`);
    expect(degradedAnswer.status).toBe(200);
    expect(await degradedAnswer.json()).toEqual(degraded);

    health = async () => {
      throw new Error('store closed');
    };
    const failed = await fetch(`${server.url}/internal/health`);
    expect(failed.status).toBe(503);
    expect(await failed.json()).toEqual({ error: { code: 'unavailable', message: expect.stringContaining('store closed') } });
  });

  it('serves the registry as Prometheus text at /metrics', async () => {
    const metrics = new Registry();
    new Counter({ name: 'ioc_test_things_total', help: 'things', registers: [metrics] }).inc(3);
    const server = await startServer({ metrics });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toMatch(/^ioc_test_things_total 3$/m);
  });

  it('mounts routers and maps their errors to {error:{code,message}}', async () => {
    const router = express.Router();
    router.post('/echo', (req, res) => {
      res.json({ got: req.body });
    });
    router.get('/forbidden', () => {
      throw new AppError('forbidden', 'not for you');
    });
    router.get('/invalid', () => {
      throw new AppError('validation_failed', 'bad input', [{ path: 'a.b', message: 'required' }]);
    });
    router.get('/async-crash', async () => {
      throw new Error('secret internal detail');
    });
    const server = await startServer({ routers: [{ path: '/internal/test', router }], bodyLimitBytes: 1024 });

    const echo = await fetch(`${server.url}/internal/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(await echo.json()).toEqual({ got: { hello: 'world' } });

    const forbidden = await fetch(`${server.url}/internal/test/forbidden`);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: { code: 'forbidden', message: 'not for you' } });

    const invalid = await fetch(`${server.url}/internal/test/invalid`);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      error: { code: 'validation_failed', message: 'bad input', details: [{ path: 'a.b', message: 'required' }] },
    });

    const crash = await fetch(`${server.url}/internal/test/async-crash`);
    expect(crash.status).toBe(500);
    const crashBody = await crash.json();
    expect(crashBody).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(JSON.stringify(crashBody)).not.toContain('secret');

    const badJson = await fetch(`${server.url}/internal/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"oops',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { code: 'bad_request' } });

    const tooLarge = await fetch(`${server.url}/internal/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(2048) }),
    });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const server = await startServer();
    const response = await fetch(`${server.url}/nowhere?x=1`, { method: 'DELETE' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'no route for DELETE /nowhere' } });
  });

  it('fails to start with a clear message when the port is taken', async () => {
    const first = await startServer();
    const second = new InternalHttpServer({
      name: 'second-http',
      host: '127.0.0.1',
      port: first.port,
      logger: silentLogger(),
      metrics: new Registry(),
      health: async () => healthy,
    });
    await expect(second.start()).rejects.toThrow(`second-http: port ${first.port} on 127.0.0.1 is already in use`);
    await second.stop();
  });

  it('stop() closes keep-alive connections, releases the port and is idempotent', async () => {
    const server = await startServer();
    const port = server.port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const socketClosed = new Promise<void>((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/internal/health', agent }, (response) => {
        response.resume();
        response.on('end', () => {
          const socket = request.socket;
          if (!socket || socket.destroyed) {
            reject(new Error('expected the connection to stay open (keep-alive)'));
            return;
          }
          socket.once('close', () => resolve());
          void server.stop();
        });
      });
      request.on('error', reject);
    });
    await socketClosed;
    await server.stop();
    await server.stop();
    expect(() => server.port).toThrow(/not started/);
    agent.destroy();

    const again = await startServer({ port });
    expect(again.port).toBe(port);
  });

  // The timeout is below Node's 5 s keepAliveTimeout: a server that waited for the idle socket to time out fails here.
  it('stop() lets a request in flight finish, then closes its keep-alive connection', { timeout: 4_000 }, async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => undefined;
    const handlerEntered = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const router = express.Router();
    router.get('/slow', async (_req, res) => {
      entered();
      await released;
      res.json({ done: true });
    });
    // A grace far beyond the test timeout: stop() must not depend on it here.
    const server = await startServer({ routers: [{ path: '/internal/test', router }], shutdownGraceMs: 60_000 });
    const agent = new http.Agent({ keepAlive: true });
    const answer = new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: server.port, path: '/internal/test/slow', agent }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            body += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode, body }));
        })
        .on('error', reject);
    });
    await handlerEntered;
    const stopped = server.stop();
    release();
    expect(await answer).toEqual({ status: 200, body: '{"done":true}' });
    await stopped;
    agent.destroy();
  });
});
