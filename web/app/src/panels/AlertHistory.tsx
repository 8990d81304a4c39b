/**
 * Alert history: every alert matching the filters (state, severity, site, time range in Vietnam
 * time), newest first, exportable as CSV. A modal dialog; Escape closes it.
 */
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ALERT_SEVERITIES, ALERT_STATES, type Alert, type AlertSeverity, type AlertState } from '../../../../common/alerts.js';
import { listAlerts } from '../api/alerts-api.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { SEVERITY_COLOR } from '../model/colors.js';
import { isoVietnam, toCsv } from '../model/csv.js';
import { downloadCsv } from '../model/download-csv.js';
import { alertValueText } from './alert-text.js';

const ICT_OFFSET_MS = 7 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** `datetime-local` value (read as Vietnam time) → epoch ms; undefined when empty or invalid. */
export function parseVietnamLocal(value: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi) - ICT_OFFSET_MS;
}

/** Epoch ms → `datetime-local` value in Vietnam time. */
export function toVietnamLocal(epochMs: number): string {
  return new Date(epochMs + ICT_OFFSET_MS).toISOString().slice(0, 16);
}

export function AlertHistory({
  onClose,
  onJump,
  siteName,
}: {
  onClose: () => void;
  onJump: (siteId: string) => void;
  siteName: (id: string) => string | undefined;
}) {
  const i18n = useI18n();
  const { t, fmt, language, severityLabel, stateLabel } = i18n;
  const [state, setState] = useState<AlertState | ''>('');
  const [severity, setSeverity] = useState<AlertSeverity | ''>('');
  const [site, setSite] = useState('');
  const [from, setFrom] = useState(() => toVietnamLocal(Date.now() - 7 * DAY_MS));
  const [to, setTo] = useState('');
  const [alerts, setAlerts] = useState<Alert[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const dialog = useRef<HTMLDivElement>(null);

  const search = useCallback(async () => {
    setError(undefined);
    try {
      const found = await listAlerts({
        state: state || undefined,
        severity: severity || undefined,
        site: site.trim().toUpperCase() || undefined,
        from: parseVietnamLocal(from),
        to: parseVietnamLocal(to),
      });
      setAlerts([...found].sort((a, b) => b.raisedAt - a.raisedAt));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }, [state, severity, site, from, to]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the first search runs once on open
  useEffect(() => {
    void search();
    dialog.current?.focus();
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void search();
  };
  const exportCsv = () => {
    if (!alerts) return;
    const rows = alerts.map((alert) => [
      alert.id,
      alert.siteId,
      alert.ruleName[language],
      alert.severity,
      alert.state,
      alert.metric,
      alert.unit,
      alert.threshold,
      alert.peakValue,
      alert.lastValue,
      isoVietnam(alert.raisedAt),
      alert.clearedAt === null ? '' : isoVietnam(alert.clearedAt),
      alert.ackedBy,
      alert.ackedAt === null ? '' : isoVietnam(alert.ackedAt),
    ]);
    downloadCsv(
      `alerts_${toVietnamLocal(Date.now()).replace(/[-:T]/g, '')}.csv`,
      toCsv(
        [
          'id',
          'site_id',
          'rule',
          'severity',
          'state',
          'metric',
          'unit',
          'threshold',
          'peak',
          'last',
          'raised_ict',
          'cleared_ict',
          'acked_by',
          'acked_ict',
        ],
        rows,
      ),
    );
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop closes the dialog; Escape does too
    <div className="modal-backdrop" role="presentation" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div
        className="modal alert-history"
        role="dialog"
        aria-modal="true"
        aria-labelledby="alert-history-title"
        tabIndex={-1}
        ref={dialog}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onClose();
        }}
      >
        <header className="modal-head">
          <h2 id="alert-history-title">{t('alertHistory')}</h2>
          <button type="button" className="icon-button" onClick={onClose} aria-label={t('close')}>
            ×
          </button>
        </header>
        <form className="history-filters" onSubmit={submit}>
          <label>
            {t('status')}
            <select value={state} onChange={(event) => setState(event.target.value as AlertState | '')} name="state">
              <option value="">{t('allStates')}</option>
              {ALERT_STATES.map((value) => (
                <option key={value} value={value}>
                  {stateLabel[value]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('severity')}
            <select value={severity} onChange={(event) => setSeverity(event.target.value as AlertSeverity | '')} name="severity">
              <option value="">{t('allSeverities')}</option>
              {ALERT_SEVERITIES.map((value) => (
                <option key={value} value={value}>
                  {severityLabel[value]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('siteId')}
            <input value={site} onChange={(event) => setSite(event.target.value)} placeholder="KG-WQ-01" name="site" />
          </label>
          <label>
            {t('from')}
            <input type="datetime-local" value={from} onChange={(event) => setFrom(event.target.value)} name="from" />
          </label>
          <label>
            {t('to')}
            <input type="datetime-local" value={to} onChange={(event) => setTo(event.target.value)} name="to" />
          </label>
          <button type="submit" className="primary">
            {t('apply')}
          </button>
          <button type="button" onClick={exportCsv} disabled={!alerts || alerts.length === 0}>
            {t('exportCsv')}
          </button>
        </form>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {alerts && <p className="muted">{t('results', { n: fmt.count(alerts.length) })}</p>}
        <div className="history-table-wrap">
          <table className="history-table">
            <thead>
              <tr>
                <th scope="col">{t('severity')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('siteId')}</th>
                <th scope="col">{t('alerts')}</th>
                <th scope="col">{t('value')}</th>
                <th scope="col">{t('raisedAt')}</th>
                <th scope="col">{t('clearedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {alerts?.map((alert) => (
                <tr key={alert.id} data-alert-id={alert.id}>
                  <td>
                    <span className="sev-badge" style={{ background: SEVERITY_COLOR[alert.severity] }}>
                      {severityLabel[alert.severity]}
                    </span>
                  </td>
                  <td>{stateLabel[alert.state]}</td>
                  <td>
                    <button type="button" className="link-button" onClick={() => onJump(alert.siteId)} title={siteName(alert.siteId)}>
                      {alert.siteId}
                    </button>
                  </td>
                  <td>{alert.ruleName[language]}</td>
                  <td>{alertValueText(alert, i18n)}</td>
                  <td>{fmt.shortDateTime(alert.raisedAt)}</td>
                  <td>{alert.clearedAt === null ? '—' : fmt.shortDateTime(alert.clearedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
