/**
 * History of one metric with uPlot: average line over the min–max band of each bucket, threshold
 * lines (dashed, labelled) from the site's alerts, a time axis in Vietnam time, drag to zoom and
 * double-click to reset. Charts of one drawer share their x range (zooming one zooms all).
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HistorySeries } from '../../../../common/api.js';
import { isMetricId, METRICS } from '../../../../common/metrics.js';
import { TIME_ZONE } from '../i18n/format.js';
import { useI18n } from '../i18n/I18nProvider.js';

/** A horizontal line on the chart: a threshold value with its colour and label. */
export interface ThresholdLine {
  readonly value: number;
  readonly color: string;
  readonly label: string;
}

export interface HistoryChartProps {
  readonly series: HistorySeries;
  readonly thresholds: readonly ThresholdLine[];
  /** The shared x range, epoch ms, or null for the full range. */
  readonly zoom: { readonly from: number; readonly to: number } | null;
  readonly onZoom: (zoom: { from: number; to: number } | null) => void;
  readonly height?: number;
}

const LINE = '#1565c0';
const BAND = 'rgba(21, 101, 192, 0.16)';

export function HistoryChart({ series, thresholds, zoom, onZoom, height = 150 }: HistoryChartProps) {
  const { fmt, t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;
  const settingScale = useRef(false);
  const decimals = isMetricId(series.metric) ? METRICS[series.metric].decimals : 2;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const xs = series.points.map((point) => point.ts / 1000);
    const data: uPlot.AlignedData = [xs, series.points.map((p) => p.min), series.points.map((p) => p.avg), series.points.map((p) => p.max)];
    const spanSec = (series.to - series.from) / 1000;
    const values = series.points.flatMap((p) => [p.min, p.max]);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const span = Math.max(hi - lo, Math.abs(hi) * 0.05, 10 ** -decimals);
    const visible = thresholds.filter((line) => line.value >= lo - span && line.value <= hi + span);
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), TIME_ZONE),
      legend: { show: false },
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      scales: {
        x: { time: true, min: series.from / 1000, max: series.to / 1000 },
        y: {
          range: (_u, min, max) => {
            const all = [min, max, ...visible.map((line) => line.value)].filter(Number.isFinite);
            const a = Math.min(...all);
            const b = Math.max(...all);
            const pad = Math.max((b - a) * 0.08, 10 ** -decimals);
            return [a - pad, b + pad];
          },
        },
      },
      axes: [
        {
          stroke: '#44546a',
          grid: { stroke: '#e6ebf1' },
          ticks: { stroke: '#cfd8e3' },
          values: (_u, splits) =>
            splits.map((v) => (spanSec > 2 * 86_400 ? (fmt.shortDateTime(v * 1000).split(' ')[0] ?? '') : fmt.time(v * 1000))),
        },
        {
          stroke: '#44546a',
          grid: { stroke: '#e6ebf1' },
          ticks: { stroke: '#cfd8e3' },
          size: 52,
          values: (_u, splits) => splits.map((v) => fmt.number(v, Math.min(decimals, 2))),
        },
      ],
      series: [
        {},
        { label: t('min'), stroke: 'rgba(21,101,192,0.35)', width: 1, points: { show: false } },
        { label: t('avg'), stroke: LINE, width: 1.6, points: { show: series.points.length < 60 } },
        { label: t('max'), stroke: 'rgba(21,101,192,0.35)', width: 1, points: { show: false } },
      ],
      bands: [{ series: [3, 1], fill: BAND }],
      hooks: {
        draw: [
          (u) => {
            const { ctx, bbox } = u;
            ctx.save();
            ctx.setLineDash([6, 4]);
            ctx.lineWidth = 1.5 * devicePixelRatio;
            ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
            for (const line of visible) {
              const y = u.valToPos(line.value, 'y', true);
              if (y < bbox.top || y > bbox.top + bbox.height) continue;
              ctx.strokeStyle = line.color;
              ctx.beginPath();
              ctx.moveTo(bbox.left, y);
              ctx.lineTo(bbox.left + bbox.width, y);
              ctx.stroke();
              ctx.fillStyle = line.color;
              ctx.textAlign = 'right';
              ctx.fillText(line.label, bbox.left + bbox.width - 4, y - 4 * devicePixelRatio);
            }
            ctx.restore();
          },
        ],
        setScale: [
          (u, key) => {
            if (key !== 'x' || settingScale.current) return;
            const min = u.scales.x?.min;
            const max = u.scales.x?.max;
            if (min === undefined || max === undefined) return;
            const full = Math.abs(min * 1000 - series.from) < 1000 && Math.abs(max * 1000 - series.to) < 1000;
            zoomRef.current(full ? null : { from: Math.round(min * 1000), to: Math.round(max * 1000) });
          },
        ],
      },
    };
    const chart = new uPlot(options, data, element);
    plot.current = chart;
    // Double-click resets to the full range (uPlot's default resets to the data's extent).
    const reset = () => zoomRef.current(null);
    chart.over.addEventListener('dblclick', reset);
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(200, element.clientWidth), height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.over.removeEventListener('dblclick', reset);
      chart.destroy();
      plot.current = null;
    };
  }, [series, thresholds, height, fmt, t, decimals]);

  useEffect(() => {
    const chart = plot.current;
    if (!chart) return;
    const min = (zoom?.from ?? series.from) / 1000;
    const max = (zoom?.to ?? series.to) / 1000;
    if (chart.scales.x?.min === min && chart.scales.x?.max === max) return;
    settingScale.current = true;
    chart.setScale('x', { min, max });
    settingScale.current = false;
  }, [zoom, series]);

  return <div className="history-chart" ref={box} data-metric={series.metric} data-points={series.points.length} />;
}
