import type { CountrySummary } from '../api/fleet';

const SEGMENTS = [
  { key: 'online', label: 'online', color: 'var(--ok)' },
  { key: 'stale', label: 'stale', color: 'var(--warn)' },
  { key: 'offline', label: 'offline', color: 'var(--bad)' },
  { key: 'pending', label: 'pending', color: 'var(--muted-fill)' },
] as const;

/** Nodes per country as stacked bars (status) with a compliance marker; the table beside it has the numbers. */
export function CountryChart({ countries }: { countries: CountrySummary[] }) {
  const rowHeight = 44;
  const labelWidth = 56;
  const width = 520;
  const barWidth = width - labelWidth - 110;
  const max = Math.max(1, ...countries.map((c) => SEGMENTS.reduce((sum, s) => sum + c.nodes[s.key], 0)));
  const height = countries.length * rowHeight + 36;
  const summary = countries
    .map((c) => `${c.country}: ${c.nodes.online} online, ${c.nodes.stale} stale, ${c.nodes.offline} offline, ${c.governed ? `${c.compliant} of ${c.governed} on the latest policy` : 'no policy published'}`)
    .join('; ');
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Nodes by country. ${summary}`} data-testid="country-chart">
        {countries.map((c, row) => {
          const y = row * rowHeight + 8;
          let x = labelWidth;
          return (
            <g key={c.country}>
              <text x={0} y={y + 18} className="chart-label">
                {c.country}
              </text>
              <rect x={labelWidth} y={y} width={barWidth} height={26} rx={4} className="chart-track" />
              {SEGMENTS.map((segment) => {
                const w = (c.nodes[segment.key] / max) * barWidth;
                const rect = w > 0 ? <rect key={segment.key} x={x} y={y} width={w} height={26} fill={segment.color} rx={3}><title>{`${c.nodes[segment.key]} ${segment.label}`}</title></rect> : null;
                x += w;
                return rect;
              })}
              <text x={labelWidth + barWidth + 10} y={y + 18} className="chart-value">
                {c.governed ? `${Math.round((c.compliant / c.governed) * 100)}% compliant` : 'no policy'}
              </text>
            </g>
          );
        })}
        <g transform={`translate(${labelWidth}, ${height - 18})`}>
          {SEGMENTS.map((segment, i) => (
            <g key={segment.key} transform={`translate(${i * 90}, 0)`}>
              <rect width={12} height={12} fill={segment.color} rx={2} />
              <text x={18} y={11} className="chart-legend">
                {segment.label}
              </text>
            </g>
          ))}
        </g>
      </svg>
      <figcaption className="muted">Bar length: nodes; colour: status; right: share of nodes running their site's latest policy.</figcaption>
    </figure>
  );
}
