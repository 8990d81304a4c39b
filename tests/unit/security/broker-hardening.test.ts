/**
 * The broker's hardening pieces on their own, with injected clocks: the per-site token bucket, the
 * verified-token cache's rotation grace, device sessions (cap count, disconnects, grace deadlines)
 * and the packet size guard on a parser-shaped object.
 */
import { EventEmitter } from 'node:events';
import type { Client } from 'aedes';
import { describe, expect, it } from 'vitest';
import type { DisconnectReason } from '../../../broker/broker-metrics.js';
import { DeviceSessions } from '../../../broker/device-sessions.js';
import { guardPacketSize, maxPacketBytes, PACKET_OVERHEAD_BYTES } from '../../../broker/packet-size-guard.js';
import { PublishRateLimiter } from '../../../broker/publish-rate-limiter.js';
import { acceptedHashes, sha256, VerifiedTokenCache } from '../../../broker/verified-token-cache.js';

describe('PublishRateLimiter', () => {
  it('allows the burst at once, then the rate, per site', () => {
    let now = 0;
    const limiter = new PublishRateLimiter({ ratePerSec: 2, burst: 5, now: () => now });
    const take = (site: string, n: number) => Array.from({ length: n }, () => limiter.take(site)).filter(Boolean).length;
    expect(take('A', 10)).toBe(5);
    expect(take('B', 10)).toBe(5); // another site has its own bucket
    now += 1_000;
    expect(take('A', 10)).toBe(2);
    now += 60_000; // refills up to the burst, not beyond
    expect(take('A', 10)).toBe(5);
    now += 250;
    expect(take('A', 1)).toBe(0); // half a token is not a token
    now += 250;
    expect(take('A', 1)).toBe(1);
  });

  it('rejects nonsensical settings', () => {
    expect(() => new PublishRateLimiter({ ratePerSec: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new PublishRateLimiter({ ratePerSec: 1, burst: 0.5 })).toThrow(RangeError);
  });
});

describe('VerifiedTokenCache with rotation grace', () => {
  const digest = sha256('old-token');
  const credential = (previousValidUntil?: number) => ({
    siteId: 'S',
    tokenHash: 'new-hash',
    issuedAt: 100,
    ...(previousValidUntil === undefined ? {} : { previousTokenHash: 'old-hash', previousValidUntil }),
  });

  it('accepts the previous hash only before its grace ends', () => {
    expect(acceptedHashes(credential(1_000), 999).map((h) => h.tokenHash)).toEqual(['new-hash', 'old-hash']);
    expect(acceptedHashes(credential(1_000), 1_000).map((h) => h.tokenHash)).toEqual(['new-hash']);
    expect(acceptedHashes(credential(), 0).map((h) => h.tokenHash)).toEqual(['new-hash']);
  });

  it('honours a cached previous token during the grace and drops it after', () => {
    const cache = new VerifiedTokenCache(10);
    cache.remember('S', digest, 'old-hash');
    expect(cache.matchesAny('S', digest, acceptedHashes(credential(1_000), 500))).toEqual({ tokenHash: 'old-hash', validUntil: 1_000 });
    expect(cache.lastKnown('S', digest, 999)).toBeDefined();
    expect(cache.lastKnown('S', digest, 1_000)).toBeUndefined(); // not even while the store is down
    expect(cache.matchesAny('S', digest, acceptedHashes(credential(1_000), 1_000))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('follows a rotation learned from the access poll', () => {
    const cache = new VerifiedTokenCache(10);
    cache.remember('S', digest, 'old-hash');
    cache.applyCredential(credential(2_000));
    expect(cache.lastKnown('S', digest, 1_999)).toBeDefined();
    expect(cache.lastKnown('S', digest, 2_000)).toBeUndefined();
    cache.applyCredential({
      siteId: 'S',
      tokenHash: 'newer-hash',
      issuedAt: 200,
      previousTokenHash: 'new-hash',
      previousValidUntil: 3_000,
    });
    expect(cache.size).toBe(0); // two rotations old: forgotten
  });
});

/** An Aedes client stand-in: an id, a socket-like `conn` and `close()`. */
function fakeClient(id: string): Client & { closedCount: number } {
  const conn = Object.assign(new EventEmitter(), { destroyed: false });
  const client = {
    id,
    conn,
    closedCount: 0,
    close() {
      this.closedCount++;
      conn.destroyed = true;
      conn.emit('close');
    },
  };
  return client as unknown as Client & { closedCount: number };
}

describe('DeviceSessions', () => {
  const setup = () => {
    const closed: [string, DisconnectReason][] = [];
    const sessions = new DeviceSessions({ onDisconnect: (client, _site, reason) => closed.push([client.id, reason]) });
    return { sessions, closed };
  };

  it('counts open connections and forgets closed ones', () => {
    const { sessions } = setup();
    const a = fakeClient('a');
    expect(sessions.add(a, 'S', { tokenHash: 'h', issuedAt: 1, validUntil: undefined })).toBe(true);
    expect(sessions.add(fakeClient('b'), 'S', { tokenHash: 'h', issuedAt: 1, validUntil: undefined })).toBe(true);
    expect(sessions.count).toBe(2);
    a.close();
    expect(sessions.count).toBe(1);
    const dead = fakeClient('dead');
    (dead.conn as unknown as { destroyed: boolean }).destroyed = true;
    expect(sessions.add(dead, 'S', { tokenHash: 'h', issuedAt: 1, validUntil: undefined })).toBe(false);
    expect(sessions.count).toBe(1);
  });

  it('disconnects every connection of a disabled site, and only those', () => {
    const { sessions, closed } = setup();
    const clients = ['s1', 's2', 't1'].map(fakeClient);
    sessions.add(clients[0] as Client, 'S', { tokenHash: 'h', issuedAt: 1, validUntil: undefined });
    sessions.add(clients[1] as Client, 'S', { tokenHash: 'h', issuedAt: 1, validUntil: undefined });
    sessions.add(clients[2] as Client, 'T', { tokenHash: 'h', issuedAt: 1, validUntil: undefined });
    expect(sessions.disconnectSite('S', 'site_disabled')).toBe(2);
    expect(closed).toEqual([
      ['s1', 'site_disabled'],
      ['s2', 'site_disabled'],
    ]);
    expect(sessions.count).toBe(1);
  });

  it('gives connections on a replaced token a deadline and closes older ones at once', () => {
    const { sessions, closed } = setup();
    const onPrevious = fakeClient('previous');
    const onOlder = fakeClient('older');
    const onCurrent = fakeClient('current');
    sessions.add(onPrevious, 'S', { tokenHash: 'h1', issuedAt: 10, validUntil: undefined });
    sessions.add(onOlder, 'S', { tokenHash: 'h0', issuedAt: 5, validUntil: undefined });
    sessions.applyCredential({ siteId: 'S', tokenHash: 'h2', issuedAt: 20, previousTokenHash: 'h1', previousValidUntil: 1_000 });
    sessions.add(onCurrent, 'S', { tokenHash: 'h2', issuedAt: 20, validUntil: undefined });
    expect(closed).toEqual([['older', 'token_expired']]);
    sessions.applyCredential({ siteId: 'S', tokenHash: 'h2', issuedAt: 20, previousTokenHash: 'h1', previousValidUntil: 1_000 }); // polled again
    sessions.expire(999);
    expect(closed).toHaveLength(1);
    sessions.expire(1_000);
    expect(closed).toEqual([
      ['older', 'token_expired'],
      ['previous', 'token_expired'],
    ]);
    expect(onCurrent.closedCount).toBe(0);
  });
});

describe('guardPacketSize', () => {
  /** Shaped like mqtt-packet's parser: `_parseLength` decodes the Remaining Length into `packet.length`. */
  const parserClient = (length: number) => {
    const parser = {
      packet: { length: -1 },
      _parseLength(this: { packet: { length: number } }) {
        this.packet.length = length;
        return true;
      },
    };
    return { client: { _parser: parser }, parser };
  };

  it('lets packets up to the cap through and closes the connection at the first larger one', () => {
    const cap = maxPacketBytes(1024);
    expect(cap).toBe(1024 + PACKET_OVERHEAD_BYTES);
    let destroyed = 0;
    const oversized: number[] = [];
    const ok = parserClient(cap);
    expect(guardPacketSize(ok.client, { destroy: () => destroyed++ }, cap, (n) => oversized.push(n))).toBe(true);
    expect(ok.parser._parseLength()).toBe(true);
    const big = parserClient(cap + 1);
    guardPacketSize(big.client, { destroy: () => destroyed++ }, cap, (n) => oversized.push(n));
    expect(big.parser._parseLength()).toBe(false);
    expect(big.parser._parseLength()).toBe(false);
    expect({ destroyed, oversized }).toEqual({ destroyed: 1, oversized: [cap + 1] });
  });

  it('reports that it cannot guard a parser it does not recognise', () => {
    expect(guardPacketSize({}, { destroy: () => {} }, 10, () => {})).toBe(false);
  });
});
