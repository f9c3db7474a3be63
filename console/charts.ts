/**
 * Charts drawn on the server as inline SVG (no script, nothing fetched): horizontal bars with their
 * values written out, mirrored for right-to-left languages, each with a table of the same figures
 * for screen readers and for copying.
 */
import { html, type Html } from './html';

export interface Bar {
  label: string;
  value: number;
  /** The value as written beside the bar (money, a share...). */
  shown?: string;
  /** A mark on the bar's scale (a quota), drawn as a line. */
  limit?: number;
}

const ROW = 26;
const WIDTH = 640;
const LABEL = 220;
const VALUE = 110;

export function barChart(o: {
  id: string;
  title: string;
  bars: Bar[];
  rtl: boolean;
  valueHeader: string;
  labelHeader: string;
  empty: string;
}): Html {
  if (o.bars.length === 0)
    return html`<figure class="chart">
      <figcaption>${o.title}</figcaption>
      <p class="empty">${o.empty}</p>
    </figure>`;
  const max = Math.max(...o.bars.map((b) => Math.max(b.value, b.limit ?? 0)), 1);
  const room = WIDTH - LABEL - VALUE;
  const height = o.bars.length * ROW + 8;
  // Left to right: label | bar | value. Right to left, the same read from the right.
  const x = (fromStart: number, width = 0) => (o.rtl ? WIDTH - fromStart - width : fromStart);
  // text-anchor follows the text's direction, which the SVG inherits from the page: "start" is
  // the left end in English and the right end in Arabic, where the label then runs leftwards.
  const anchorStart = 'start';
  const rows = o.bars.map((b, i) => {
    const y = 4 + i * ROW;
    const w = Math.max(b.value > 0 ? 2 : 0, Math.round((b.value / max) * room));
    const shown = b.shown ?? String(b.value);
    return html`<g>
      <text x="${x(4)}" y="${y + 17}" text-anchor="${anchorStart}" class="chart-label">${b.label}</text>
      <rect x="${x(LABEL, w)}" y="${y + 4}" width="${w}" height="${ROW - 8}" class="chart-bar"></rect>
      ${b.limit !== undefined ? html`<line x1="${x(LABEL + Math.round((b.limit / max) * room))}" x2="${x(LABEL + Math.round((b.limit / max) * room))}" y1="${y + 1}" y2="${y + ROW - 1}" class="chart-limit"></line>` : ''}
      <text x="${x(LABEL + w + 6)}" y="${y + 17}" text-anchor="${anchorStart}" class="chart-value">${shown}</text>
    </g>`;
  });
  return html`<figure class="chart" id="${o.id}">
    <figcaption id="${o.id}-title">${o.title}</figcaption>
    <svg role="img" aria-labelledby="${o.id}-title" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">
      ${rows}
    </svg>
    <details>
      <summary>${o.valueHeader}</summary>
      <table>
        <thead>
          <tr>
            <th scope="col">${o.labelHeader}</th>
            <th scope="col">${o.valueHeader}</th>
          </tr>
        </thead>
        <tbody>
          ${o.bars.map(
            (b) =>
              html`<tr>
                <td>${b.label}</td>
                <td>${b.shown ?? b.value}${b.limit !== undefined ? ` / ${b.limit}` : ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </details>
  </figure>`;
}
