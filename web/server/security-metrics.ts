/**
 * Prometheus metrics of the web server's operator-side defences: logins and lock-outs, refused
 * cross-site requests, socket events dropped by policy, slow sockets cut off, audit writes that
 * failed. Created get-or-register on the registry, like web-metrics.ts.
 */
import { Counter, type Registry } from 'prom-client';

export interface SecurityMetrics {
  /** Login attempts by outcome: `success`, `invalid` (wrong password, unknown or disabled user), `refused_address`, `refused_account_address`. */
  readonly loginAttempts: Counter<'outcome'>;
  /** (account, address) pairs locked out after too many failures. */
  readonly loginLockouts: Counter<string>;
  /** Non-GET API requests and socket handshakes refused for coming from another origin. */
  readonly crossSiteRefused: Counter<'channel'>;
  /** Client→server socket.io events dropped, by reason: `unknown_event`, `forbidden`, `invalid`, `rate_limited`. */
  readonly socketEventsDropped: Counter<'reason'>;
  /** Sockets disconnected because they stopped reading and their queue of unsent events hit the cap. */
  readonly slowSocketsDisconnected: Counter<string>;
  /** Audit entries that could not be stored (the action itself succeeded; the entry is in the server log). */
  readonly auditWriteFailures: Counter<string>;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return (
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames: [...labelNames], registers: [registry] })
  );
}

export function securityMetrics(registry: Registry): SecurityMetrics {
  return {
    loginAttempts: counter(registry, 'ioc_web_login_attempts_total', 'Login attempts by outcome', ['outcome']),
    loginLockouts: counter(registry, 'ioc_web_login_lockouts_total', 'Account and client-address pairs locked out after failed logins'),
    crossSiteRefused: counter(registry, 'ioc_web_cross_site_refused_total', 'Requests refused for coming from another origin, by channel', [
      'channel',
    ]),
    socketEventsDropped: counter(registry, 'ioc_web_socket_events_dropped_total', 'Client socket.io events dropped by policy, by reason', [
      'reason',
    ]),
    slowSocketsDisconnected: counter(
      registry,
      'ioc_web_socket_slow_disconnects_total',
      'Sockets disconnected because their queue of unsent events reached the cap',
    ),
    auditWriteFailures: counter(registry, 'ioc_web_audit_write_failures_total', 'Audit log entries that could not be stored'),
  };
}
