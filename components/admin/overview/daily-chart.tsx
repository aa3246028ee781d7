import { formatBytes } from '@/components/attachments/file-format';
import type { Overview } from '@/lib/admin/overview';

const WIDTH = 600;
const HEIGHT = 160;

/**
 * Uploads per day as bars, drawn in SVG with no text in the drawing: the figure is described by
 * its label, and every value is in the table that follows it.
 */
export function DailyChart({ daily }: { daily: Overview['daily'] }) {
  const max = Math.max(1, ...daily.map((d) => d.uploads));
  const slot = WIDTH / daily.length;
  const total = daily.reduce((sum, d) => sum + d.uploads, 0);
  const peak = daily.reduce(
    (best, d) => (d.uploads > best.uploads ? d : best),
    daily[0] ?? { day: '', uploads: 0 },
  );
  return (
    <figure className="flex flex-col gap-2">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Uploads per day over the last ${daily.length} days: ${total} in all${total > 0 ? `, most on ${peak.day} (${peak.uploads})` : ''}.`}
        className="h-40 w-full text-blue-600 dark:text-blue-400"
        preserveAspectRatio="none"
      >
        <line
          x1="0"
          y1={HEIGHT - 0.5}
          x2={WIDTH}
          y2={HEIGHT - 0.5}
          stroke="currentColor"
          strokeOpacity="0.3"
        />
        {daily.map((d, i) => {
          const height = (d.uploads / max) * (HEIGHT - 4);
          return (
            <rect
              key={d.day}
              x={i * slot + slot * 0.15}
              y={HEIGHT - height}
              width={slot * 0.7}
              height={height}
              fill="currentColor"
            />
          );
        })}
      </svg>
      <figcaption className="text-sm text-zinc-600 dark:text-zinc-400">
        Uploads per day (UTC), oldest on the left.
      </figcaption>
      <details className="text-sm">
        <summary className="cursor-pointer">Uploads per day as a table</summary>
        <table className="mt-2 w-full text-left">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Uploads</th>
              <th scope="col">Bytes</th>
            </tr>
          </thead>
          <tbody>
            {daily.map((d) => (
              <tr key={d.day}>
                <th scope="row" className="font-normal">
                  {d.day}
                </th>
                <td>{d.uploads}</td>
                <td>{formatBytes(d.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
