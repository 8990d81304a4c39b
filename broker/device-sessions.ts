/**
 * The device connections the broker has admitted, by site, with the credential each one proved.
 * It answers three hardening needs:
 * - the connection cap: {@link count} is the number of admitted device connections whose socket is
 *   still open (a connection leaves when its socket closes, whatever the reason);
 * - disabling a site: {@link disconnectSite} closes every connection of the site at once;
 * - token rotation: a connection keeps the credential it proved (hash and issue time); when the
 *   broker learns of a newer credential ({@link applyCredential}) a connection on the replaced
 *   token gets a deadline (the end of its grace) and one on an older token is closed;
 *   {@link expire} closes connections past their deadline.
 *
 * Closing goes through Aedes' `client.close()`, so the device's Last Will is published as for any
 * lost connection.
 */
import type { Client } from 'aedes';
import type { DeviceCredential } from '../platform/store/types.js';
import type { DisconnectReason } from './broker-metrics.js';

/** The credential a device connection proved at CONNECT. */
export interface DeviceProof {
  /** The stored scrypt hash its token verified against. */
  readonly tokenHash: string;
  /** Issue time of the credential that was current when it connected, epoch ms. */
  readonly issuedAt: number;
  /** Epoch ms when its token stops being accepted (it connected with a rotated-away token); undefined for the current token. */
  readonly validUntil: number | undefined;
}

interface Session {
  readonly client: Client;
  readonly siteId: string;
  tokenHash: string;
  issuedAt: number;
  /** Epoch ms after which the connection is closed. */
  deadline: number | undefined;
}

export interface DeviceSessionsOptions {
  /** Called once per connection the broker closes, before it is closed. */
  readonly onDisconnect: (client: Client, siteId: string, reason: DisconnectReason) => void;
}

export class DeviceSessions {
  private readonly bySite = new Map<string, Set<Session>>();
  private readonly byClient = new Map<Client, Session>();
  /** Sessions with a deadline, checked by {@link expire}. */
  private readonly withDeadline = new Set<Session>();

  constructor(private readonly options: DeviceSessionsOptions) {}

  /** Admitted device connections whose socket is open. */
  get count(): number {
    return this.byClient.size;
  }

  /** Open admitted connections of `siteId`. */
  countOf(siteId: string): number {
    return this.bySite.get(siteId)?.size ?? 0;
  }

  /**
   * Records an authenticated device connection; it leaves when its socket closes. Returns false
   * (and records nothing) when the socket is already closed.
   */
  add(client: Client, siteId: string, proof: DeviceProof): boolean {
    const conn: unknown = client.conn;
    if (isDestroyed(conn) || this.byClient.has(client)) return false;
    const session: Session = { client, siteId, tokenHash: proof.tokenHash, issuedAt: proof.issuedAt, deadline: proof.validUntil };
    this.byClient.set(client, session);
    let sessions = this.bySite.get(siteId);
    if (!sessions) {
      sessions = new Set();
      this.bySite.set(siteId, sessions);
    }
    sessions.add(session);
    if (session.deadline !== undefined) this.withDeadline.add(session);
    client.conn.once('close', () => this.remove(session));
    return true;
  }

  /** Closes every connection of `siteId`; returns how many. */
  disconnectSite(siteId: string, reason: DisconnectReason): number {
    const sessions = this.bySite.get(siteId);
    if (!sessions) return 0;
    const closing = [...sessions];
    for (const session of closing) this.close(session, reason);
    return closing.length;
  }

  /**
   * Follows a credential of the site: connections that proved an older credential keep working
   * until its grace ends when their token became the previous one, and are closed otherwise.
   */
  applyCredential(credential: DeviceCredential): void {
    const sessions = this.bySite.get(credential.siteId);
    if (!sessions) return;
    for (const session of [...sessions]) {
      if (session.issuedAt >= credential.issuedAt) continue;
      if (session.tokenHash === credential.tokenHash) {
        session.issuedAt = credential.issuedAt;
      } else if (session.tokenHash === credential.previousTokenHash && credential.previousValidUntil !== undefined) {
        session.issuedAt = credential.issuedAt;
        session.deadline = Math.min(session.deadline ?? Number.POSITIVE_INFINITY, credential.previousValidUntil);
        this.withDeadline.add(session);
      } else {
        this.close(session, 'token_expired');
      }
    }
  }

  /** Closes connections whose token's grace ended at or before `nowMs` (epoch ms). */
  expire(nowMs: number): void {
    for (const session of [...this.withDeadline]) {
      if (session.deadline !== undefined && session.deadline <= nowMs) this.close(session, 'token_expired');
    }
  }

  clear(): void {
    this.bySite.clear();
    this.byClient.clear();
    this.withDeadline.clear();
  }

  private close(session: Session, reason: DisconnectReason): void {
    this.remove(session);
    this.options.onDisconnect(session.client, session.siteId, reason);
    session.client.close();
  }

  private remove(session: Session): void {
    if (this.byClient.get(session.client) !== session) return;
    this.byClient.delete(session.client);
    this.withDeadline.delete(session);
    const sessions = this.bySite.get(session.siteId);
    sessions?.delete(session);
    if (sessions?.size === 0) this.bySite.delete(session.siteId);
  }
}

function isDestroyed(conn: unknown): boolean {
  return typeof conn === 'object' && conn !== null && 'destroyed' in conn && conn.destroyed === true;
}
