import { useEffect, useState } from 'react';

const WINDOW_MS = 60_000;

/**
 * Heartbeats seen while the page is open (the API keeps only the latest), drawn on a one-minute
 * timeline: a steady row of dots is a healthy node, a gap is a missed beat.
 */
export function HeartbeatTimeline({ lastSeenAt }: { lastSeenAt: string | null }) {
  const [beats, setBeats] = useState<number[]>([]);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!lastSeenAt) return;
    const at = new Date(lastSeenAt).getTime();
    setBeats((seen) => (seen.includes(at) ? seen : [...seen, at].filter((t) => t > Date.now() - WINDOW_MS).slice(-120)));
    setNow(Date.now());
  }, [lastSeenAt]);
  const recent = beats.filter((t) => t > now - WINDOW_MS);
  const gaps = recent.slice(1).map((t, i) => t - recent[i]!);
  const typical = gaps.length ? Math.round(gaps.reduce((a, b) => a + b, 0) / gaps.length / 100) / 10 : undefined;
  const label = recent.length
    ? `${recent.length} heartbeat${recent.length === 1 ? '' : 's'} seen in the last minute${typical ? `, about every ${typical} s` : ''}`
    : 'No heartbeat seen since this page opened';
  return (
    <figure className="heartbeats">
      <svg viewBox="0 0 300 24" role="img" aria-label={label} data-testid="heartbeat-timeline" data-beats={recent.length}>
        <line x1="0" y1="12" x2="300" y2="12" className="chart-track-line" />
        {recent.map((t) => (
          <circle key={t} cx={300 - ((now - t) / WINDOW_MS) * 300} cy="12" r="4" className="beat" />
        ))}
      </svg>
      <figcaption className="muted">{label}</figcaption>
    </figure>
  );
}
